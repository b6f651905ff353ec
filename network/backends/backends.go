// Package backends picks the network.Backend of a Mode: the one place that
// knows every backend, so that create, run, the monitor and the checks
// before create ask the same one. Package nobridge is the same choice
// without user-defined networks, for the small burrow-init's monitor.
package backends

import (
	"fmt"
	"os"
	"os/exec"

	"github.com/burrow/burrow/bridge"
	"github.com/burrow/burrow/hostbin"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/network/nobridge"
)

// For is the backend of m.
func For(m network.Mode) (network.Backend, error) {
	if m.Kind == network.Bridge {
		return bridge.Backend{}, nil
	}
	return nobridge.For(m)
}

// Default is the mode a container gets when --network is not given: pasta
// where it is installed, else slirp4netns, as docker's default bridge
// gives a network. With neither usable it is none, and why says what is
// missing and how to install it.
func Default() (m network.Mode, why string) {
	kind := ""
	for _, k := range []string{network.Pasta, network.Slirp4netns} {
		if _, err := exec.LookPath(k); err == nil {
			kind = k
			break
		}
	}
	if kind == "" {
		return network.Mode{Kind: network.None}, fmt.Sprintf("no user-mode network helper is installed (%s, or %s)", hostbin.Install(network.Pasta), hostbin.Package(network.Slirp4netns))
	}
	tun, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return network.Mode{Kind: network.None}, fmt.Sprintf("%s cannot open /dev/net/tun (%v); a distribution's udev rules make it mode 0666: sudo chmod 0666 /dev/net/tun", kind, err)
	}
	tun.Close()
	return network.Mode{Kind: kind}, ""
}
