package lifecycle

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

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
