package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// privilegedDevices are the host's device nodes the user can already open
// for reading and writing (--privileged: in a rootless container that is
// all it can mean). Terminals and the console stay out: they would tie the
// container to the host's sessions.
func privilegedDevices(have []specs.LinuxDevice) []specs.LinuxDevice {
	var out []specs.LinuxDevice
	for _, dir := range []string{"/dev", "/dev/dri", "/dev/snd", "/dev/net", "/dev/input"} {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.Type()&os.ModeDevice == 0 || skipDevice(e.Name()) || hasDevice(have, p) {
				continue
			}
			if unix.Faccessat(unix.AT_FDCWD, p, unix.R_OK|unix.W_OK, unix.AT_EACCESS) == nil {
				out = append(out, specs.LinuxDevice{Path: p, Type: "c"})
			}
		}
	}
	return out
}

func skipDevice(name string) bool {
	for _, prefix := range []string{"tty", "console", "ptmx", "pts", "kmsg", "watchdog", "vcs", "mem", "port"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

func hasDevice(have []specs.LinuxDevice, p string) bool {
	return slices.ContainsFunc(have, func(d specs.LinuxDevice) bool { return d.Path == p })
}

// Devices resolves --device HOST[:CONTAINER][:PERMS] to binds of host
// device nodes; a directory (/dev/dri) stands for every node under it. A
// node the user cannot open for reading and writing is left out and named
// in skipped, for the caller to warn about once. PERMS must allow reading
// and writing: without root there is no device cgroup to narrow what the
// host node's own permissions allow.
func Devices(values []string) (mounts []specs.Mount, skipped []string, err error) {
	for _, v := range values {
		host, ctr, err := parseDevice(v)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: --device %s: %v", errdefs.ErrInvalidArgument, v, err)
		}
		nodes, err := deviceNodes(host)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: --device %s: %v", errdefs.ErrInvalidArgument, v, err)
		}
		for _, n := range nodes {
			rel, _ := filepath.Rel(host, n)
			dst := filepath.Join(ctr, rel)
			if unix.Faccessat(unix.AT_FDCWD, n, unix.R_OK|unix.W_OK, unix.AT_EACCESS) != nil {
				skipped = append(skipped, n)
				continue
			}
			mounts = append(mounts, specs.Mount{Destination: dst, Type: "bind", Source: n, Options: []string{"bind", "nosuid", "noexec"}})
		}
	}
	return mounts, skipped, nil
}

func parseDevice(v string) (host, ctr string, err error) {
	parts := strings.Split(v, ":")
	perms := "rwm"
	switch {
	case len(parts) == 3:
		perms = parts[2]
	case len(parts) == 2 && isPerms(parts[1]):
		perms, parts = parts[1], parts[:1]
	case len(parts) > 3:
		return "", "", errors.New("want HOST[:CONTAINER][:PERMISSIONS]")
	}
	host, ctr = parts[0], parts[0]
	if len(parts) > 1 {
		ctr = parts[1]
	}
	if !filepath.IsAbs(host) || !filepath.IsAbs(ctr) {
		return "", "", errors.New("paths must be absolute")
	}
	if !isPerms(perms) {
		return "", "", fmt.Errorf("permissions %q: want letters of rwm", perms)
	}
	if !strings.Contains(perms, "r") || !strings.Contains(perms, "w") {
		return "", "", fmt.Errorf("permissions %q: a rootless container has no device cgroup to narrow access to a node, so it gets what the host node allows (give rw or rwm)", perms)
	}
	return filepath.Clean(host), filepath.Clean(ctr), nil
}

func isPerms(s string) bool {
	return s != "" && strings.Trim(s, "rwm") == ""
}

// deviceNodes is path itself when it is a device node, or every device
// node below it when it is a directory.
func deviceNodes(path string) ([]string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Mode()&os.ModeDevice != 0 {
		return []string{path}, nil
	}
	if !fi.IsDir() {
		return nil, errors.New("not a device node or a directory of them")
	}
	var nodes []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type()&os.ModeDevice != 0 {
			nodes = append(nodes, p)
		}
		return nil // an unreadable subdirectory is skipped
	})
	return nodes, err
}
