package ocispec

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/burrow/burrow/errdefs"
	"github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Namespace modes of --pid, --ipc, --uts and --cgroupns ("" is private).
const (
	NSHost      = "host"
	NSPrivate   = "private"
	NSShareable = "shareable" // --ipc: private, and others may join it
	NSContainer = "container:"
)

// Controls are the run flags beyond Security that loosen or tighten a
// container's resources and namespaces. The zero value changes nothing.
type Controls struct {
	Devices     []specs.Mount     // --device, resolved to binds of host nodes (lifecycle)
	KeepGroups  bool              // --group-add keep-groups: the user's host groups stay
	GroupAdd    []string          // --group-add GID|NAME, resolved in the image
	Sysctls     map[string]string // --sysctl, namespaced ones only
	Ulimits     []specs.POSIXRlimit
	ShmSize     int64 // --shm-size in bytes; 0 is docker's 64m
	OOMScoreAdj *int
	PID, IPC    string // "", host, container:NAME (ipc also private, shareable)
	UTS         string // "", host, container:NAME
	Cgroupns    string // "", host, private
	// NSPaths are the namespaces to join, by type, resolved from the
	// container:NAME modes (lifecycle).
	NSPaths map[specs.LinuxNamespaceType]string
	// ShmDir is bound at /dev/shm for --ipc shareable (a directory in the
	// container's run directory, on XDG_RUNTIME_DIR's tmpfs) and for
	// --ipc container:NAME (NAME's): a tmpfs mounted in one container's
	// mount namespace cannot be bound into another's.
	ShmDir string
	// JoinedHostname is the host name of the container whose UTS
	// namespace --uts container:NAME joins, for /etc/hostname.
	JoinedHostname string
}

// Shared reports whether mode joins a namespace other than the
// container's own: the host's or another container's.
func Shared(mode string) bool {
	return mode == NSHost || strings.HasPrefix(mode, NSContainer)
}

// CheckNamespaceMode validates a --pid/--ipc/--uts/--cgroupns value.
func CheckNamespaceMode(flag, mode string) error {
	ok := mode == "" || mode == NSHost || (strings.HasPrefix(mode, NSContainer) && len(mode) > len(NSContainer))
	switch flag {
	case "ipc":
		ok = ok || mode == NSPrivate || mode == NSShareable
	case "cgroupns":
		ok = mode == "" || mode == NSHost || mode == NSPrivate
	}
	if !ok {
		want := "host or container:NAME"
		switch flag {
		case "ipc":
			want = "host, container:NAME, shareable or private"
		case "cgroupns":
			want = "host or private"
		}
		return fmt.Errorf("%w: --%s %q (want %s)", errdefs.ErrInvalidArgument, flag, mode, want)
	}
	return nil
}

// sysctlNamespace is the namespace that makes a sysctl the container's
// own, or "" when the kernel does not namespace it (docker's list).
func sysctlNamespace(key string) specs.LinuxNamespaceType {
	ipc := []string{"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"}
	switch {
	case slices.Contains(ipc, key) || strings.HasPrefix(key, "fs.mqueue."):
		return specs.IPCNamespace
	case strings.HasPrefix(key, "net."):
		return specs.NetworkNamespace
	case key == "kernel.hostname" || key == "kernel.domainname":
		return specs.UTSNamespace
	}
	return ""
}

// sysctlKey is compiled when --sysctl is given, not at every start.
var sysctlKey = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$`) })

// ParseSysctls reads --sysctl KEY=VALUE (also KEY/WITH/SLASHES=VALUE).
func ParseSysctls(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		k = strings.ReplaceAll(strings.TrimSpace(k), "/", ".")
		if !ok || !sysctlKey().MatchString(k) || strings.ContainsAny(val, "\n") {
			return nil, fmt.Errorf("%w: --sysctl %q (want KEY=VALUE, e.g. net.ipv4.ip_forward=1)", errdefs.ErrInvalidArgument, v)
		}
		if sysctlNamespace(k) == "" {
			return nil, fmt.Errorf("%w: --sysctl %s is not namespaced: it would change the host (namespaced: net.*, kernel.shm*/msg*/sem, fs.mqueue.*, kernel.hostname, kernel.domainname)", errdefs.ErrInvalidArgument, k)
		}
		out[k] = val
	}
	return out, nil
}

// ParseUlimits reads --ulimit NAME=SOFT[:HARD] (docker's names: nofile,
// nproc, core, ...). hard returns the caller's hard limit of a resource: a
// rootless user cannot raise it, so a value above it is refused here.
func ParseUlimits(values []string, hard func(resource int) uint64) ([]specs.POSIXRlimit, error) {
	var out []specs.POSIXRlimit
	for _, v := range values {
		u, err := units.ParseUlimit(v)
		if err != nil {
			return nil, fmt.Errorf("%w: --ulimit %s: %v", errdefs.ErrInvalidArgument, v, err)
		}
		rl, err := u.GetRlimit()
		if err != nil {
			return nil, fmt.Errorf("%w: --ulimit %s: %v", errdefs.ErrInvalidArgument, v, err)
		}
		if u.Soft < 0 || u.Hard < 0 {
			rl.Soft, rl.Hard = unix.RLIM_INFINITY, unix.RLIM_INFINITY
		}
		if max := hard(rl.Type); max != unix.RLIM_INFINITY && rl.Hard > max {
			return nil, fmt.Errorf("%w: --ulimit %s: above the hard limit %d, which a rootless user cannot raise", errdefs.ErrInvalidArgument, v, max)
		}
		name := "RLIMIT_" + strings.ToUpper(u.Name)
		out = slices.DeleteFunc(out, func(r specs.POSIXRlimit) bool { return r.Type == name })
		out = append(out, specs.POSIXRlimit{Type: name, Soft: rl.Soft, Hard: rl.Hard})
	}
	return out, nil
}

// DefaultUlimits are what the container gets without --ulimit, as podman
// does: burrow's own limits, with nofile and nproc raised to the hard one.
func DefaultUlimits(given []specs.POSIXRlimit, hard func(resource int) uint64) []specs.POSIXRlimit {
	out := slices.Clone(given)
	for _, d := range []struct {
		name     string
		resource int
	}{{"RLIMIT_NOFILE", unix.RLIMIT_NOFILE}, {"RLIMIT_NPROC", unix.RLIMIT_NPROC}} {
		if !slices.ContainsFunc(out, func(r specs.POSIXRlimit) bool { return r.Type == d.name }) {
			h := hard(d.resource)
			out = append(out, specs.POSIXRlimit{Type: d.name, Soft: h, Hard: h})
		}
	}
	return out
}

// CheckControls refuses combinations that cannot hold: a sysctl whose
// namespace the container shares, --shm-size or --hostname with a shared
// namespace, keep-groups beside other groups. sharedNetwork is the
// --network value when the container shares one (host, container:NAME),
// else "".
func CheckControls(c Controls, sharedNetwork, hostname string) error {
	for flag, mode := range map[string]string{"pid": c.PID, "ipc": c.IPC, "uts": c.UTS, "cgroupns": c.Cgroupns} {
		if err := CheckNamespaceMode(flag, mode); err != nil {
			return err
		}
	}
	shared := map[specs.LinuxNamespaceType]string{
		specs.NetworkNamespace: sharedFlag("--network", sharedNetwork),
		specs.IPCNamespace:     sharedFlag("--ipc", c.IPC),
		specs.UTSNamespace:     sharedFlag("--uts", c.UTS),
	}
	for _, k := range slices.Sorted(maps.Keys(c.Sysctls)) {
		if by := shared[sysctlNamespace(k)]; by != "" {
			return fmt.Errorf("%w: --sysctl %s: the container shares that namespace (%s), so it would change the host's or another container's", errdefs.ErrInvalidArgument, k, by)
		}
	}
	if by := shared[specs.IPCNamespace]; by != "" && c.ShmSize > 0 {
		hint := ""
		if strings.HasPrefix(c.IPC, NSContainer) {
			hint = " (give --shm-size to the container that runs with --ipc shareable)"
		}
		return fmt.Errorf("%w: --shm-size with %s: /dev/shm is the shared namespace's%s", errdefs.ErrInvalidArgument, by, hint)
	}
	if by := shared[specs.UTSNamespace]; by != "" && hostname != "" {
		return fmt.Errorf("%w: --hostname with %s: the host name is the shared namespace's", errdefs.ErrInvalidArgument, by)
	}
	if c.KeepGroups && len(c.GroupAdd) > 0 {
		return fmt.Errorf("%w: --group-add keep-groups cannot be combined with other groups", errdefs.ErrInvalidArgument)
	}
	if c.OOMScoreAdj != nil && (*c.OOMScoreAdj < -1000 || *c.OOMScoreAdj > 1000) {
		return fmt.Errorf("%w: --oom-score-adj %d (want -1000..1000)", errdefs.ErrInvalidArgument, *c.OOMScoreAdj)
	}
	return nil
}

func sharedFlag(flag, mode string) string {
	if Shared(mode) || (flag == "--network" && mode != "") {
		return flag + " " + mode
	}
	return ""
}
