// Package hostbin finds the host programs burrow runs (newuidmap and
// newgidmap, pasta, slirp4netns, fuse-overlayfs) and says how to install
// one that is missing, in one place, so every refusal names the same fix.
// Not for programs inside a container: those resolve in its own PATH.
package hostbin

import (
	"fmt"
	"os/exec"
)

// packages names the Debian package that ships each program.
var packages = map[string]string{
	"newuidmap": "uidmap", "newgidmap": "uidmap", "getsubids": "uidmap",
	"pasta": "passt", "slirp4netns": "slirp4netns", "fuse-overlayfs": "fuse-overlayfs",
}

// Package is the Debian package that has name.
func Package(name string) string {
	if p, ok := packages[name]; ok {
		return p
	}
	return name
}

// Install is the command that installs name.
func Install(name string) string { return "sudo apt-get install " + Package(name) }

// Find returns name's path, or an error that says how to install it.
func Find(name string) (string, error) {
	path, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not installed (%s)", name, Install(name))
	}
	return path, nil
}
