package ocispec

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path"
	"slices"
	"strings"

	"github.com/burrow/burrow/errdefs"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Opt is everything a container's spec is built from. User must already be
// resolved against the image's /etc/passwd (see package container).
type Opt struct {
	Image       imgspecv1.ImageConfig
	Rootfs      string
	Args        []string // the command after the image name
	Entrypoint  *string  // --entrypoint; "" clears the image's
	Env         []string // -e and --env-file, already KEY=VALUE
	Workdir     string   // -w
	UID, GID    uint32
	Groups      []uint32 // supplementary groups of the user
	Hostname    string
	Terminal    bool
	ReadOnly    bool
	HostNetwork bool              // --network host: the holder's namespace
	Mounts      []specs.Mount     // -v and --tmpfs, in the user's order
	EtcFiles    map[string]string // /etc/hosts etc. -> generated host file
	NoSysfs     bool              // bind the host's /sys instead (no own netns)
	Init        bool              // --init: a reaping PID 1 runs the command
	NetNSPath   string            // --network container:NAME: join this network namespace
	Security    Security
	Controls    Controls
	Unsetenv    []string          // --unsetenv: defaults (burrow's, the image's) to drop
	UnsetAll    bool              // --unsetenv-all: every default
	Annotations map[string]string // --annotation
}

// Command returns the process args from the image and the user's command,
// with docker's rules: --entrypoint replaces the image's and drops its Cmd.
func Command(img imgspecv1.ImageConfig, entrypoint *string, args []string) ([]string, error) {
	ep := img.Entrypoint
	cmd := img.Cmd
	if entrypoint != nil {
		ep = nil
		// podman's JSON form, --entrypoint '["/bin/sh","-c"]', is a whole
		// argument list; anything else is one word.
		var list []string
		if strings.HasPrefix(*entrypoint, "[") && json.Unmarshal([]byte(*entrypoint), &list) == nil && len(list) > 0 {
			ep = list
		} else if *entrypoint != "" {
			ep = []string{*entrypoint}
		}
		cmd = nil
	}
	if len(args) > 0 {
		cmd = args
	}
	full := append(append([]string{}, ep...), cmd...)
	if len(full) == 0 {
		return nil, fmt.Errorf("no command given and the image has neither Entrypoint nor Cmd: %w", errdefs.ErrInvalidArgument)
	}
	return full, nil
}

// Build makes the runtime spec.
func Build(opt Opt) (*specs.Spec, error) {
	args, err := Command(opt.Image, opt.Entrypoint, opt.Args)
	if err != nil {
		return nil, err
	}
	cwd := opt.Workdir
	if cwd == "" {
		cwd = opt.Image.WorkingDir
	}
	if cwd == "" {
		cwd = "/"
	}
	if !strings.HasPrefix(cwd, "/") {
		return nil, fmt.Errorf("working directory %q must be absolute: %w", cwd, errdefs.ErrInvalidArgument)
	}
	bounding, err := BoundingSet(opt.Security)
	if err != nil {
		return nil, err
	}
	masked, readonly := maskedPaths(opt.Security)
	s := &specs.Spec{
		Version:  specs.Version,
		Hostname: opt.Hostname,
		Root:     &specs.Root{Path: opt.Rootfs, Readonly: opt.ReadOnly},
		Process: &specs.Process{
			Terminal:        opt.Terminal,
			Args:            args,
			Env:             processEnv(opt),
			Cwd:             cwd,
			User:            specs.User{UID: opt.UID, GID: opt.GID, AdditionalGids: opt.Groups},
			NoNewPrivileges: !opt.Security.NewPrivileges,
			Capabilities:    ProcessCaps(bounding, opt.UID, opt.Security.CapAdd),
			Rlimits:         opt.Controls.Ulimits,
			OOMScoreAdj:     opt.Controls.OOMScoreAdj,
		},
		Mounts: append(append(baseMounts(opt), opt.Mounts...), opt.Controls.Devices...),
		Linux: &specs.Linux{
			Namespaces:    namespaces(opt),
			Sysctl:        opt.Controls.Sysctls,
			Devices:       devices(),
			MaskedPaths:   masked,
			ReadonlyPaths: readonly,
		},
	}
	if Shared(opt.Controls.UTS) {
		s.Hostname = "" // the shared namespace's own
	}
	if len(opt.Annotations) > 0 {
		s.Annotations = maps.Clone(opt.Annotations)
	}
	if opt.Init {
		if s.Annotations == nil {
			s.Annotations = map[string]string{}
		}
		s.Annotations["burrow.init"] = "true"
	}

	for _, dst := range []string{"/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/etc/passwd"} {
		// The user's own bind (-v ./hosts:/etc/hosts) wins, as in docker.
		if src, ok := opt.EtcFiles[dst]; ok && !mountsAt(opt.Mounts, dst) {
			s.Mounts = append(s.Mounts, specs.Mount{Destination: dst, Type: "bind", Source: src, Options: []string{"bind", "rw"}})
		}
	}
	return s, nil
}

func processEnv(opt Opt) []string {
	base := []string{DefaultPath}
	if opt.Terminal {
		base = append(base, "TERM=xterm")
	}
	if opt.Hostname != "" {
		base = append(base, "HOSTNAME="+opt.Hostname)
	}
	defaults := MergeEnv(base, opt.Image.Env)
	if opt.UnsetAll {
		defaults = nil
	}
	defaults = slices.DeleteFunc(defaults, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return slices.Contains(opt.Unsetenv, k)
	})
	return MergeEnv(defaults, opt.Env)
}

// maskedPaths applies --privileged (nothing masked or read-only) and
// --security-opt mask= and unmask= to the defaults.
func maskedPaths(sec Security) (masked, readonly []string) {
	if sec.Privileged {
		return sec.Mask, nil
	}
	if slices.Contains(sec.Unmask, "ALL") {
		return sec.Mask, nil
	}
	keep := func(p string) bool { return !slices.Contains(sec.Unmask, p) }
	for _, p := range MaskedPaths {
		if keep(p) {
			masked = append(masked, p)
		}
	}
	for _, p := range ReadonlyPaths {
		if keep(p) {
			readonly = append(readonly, p)
		}
	}
	return append(masked, sec.Mask...), readonly
}

// namespaces are the container's own, minus those it shares with the
// host, with a path for those it joins (--pid, --ipc, --uts, --cgroupns,
// --network container:).
func namespaces(opt Opt) []specs.LinuxNamespace {
	ns := []specs.LinuxNamespace{{Type: specs.MountNamespace}}
	c := opt.Controls
	for _, n := range []struct {
		t    specs.LinuxNamespaceType
		mode string
	}{{specs.PIDNamespace, c.PID}, {specs.UTSNamespace, c.UTS}, {specs.IPCNamespace, c.IPC}, {specs.CgroupNamespace, c.Cgroupns}} {
		if n.mode != NSHost {
			ns = append(ns, specs.LinuxNamespace{Type: n.t, Path: c.NSPaths[n.t]})
		}
	}
	if !opt.HostNetwork {
		ns = append(ns, specs.LinuxNamespace{Type: specs.NetworkNamespace, Path: opt.NetNSPath})
	}
	return ns
}

func baseMounts(opt Opt) []specs.Mount {
	c := opt.Controls
	shm := specs.Mount{Destination: "/dev/shm", Type: "tmpfs", Source: "shm", Options: []string{"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}
	if c.ShmSize > 0 {
		shm.Options[4] = fmt.Sprintf("size=%dk", (c.ShmSize+1023)/1024)
	}
	m := []specs.Mount{
		{Destination: "/proc", Type: "proc", Source: "proc", Options: []string{"nosuid", "noexec", "nodev"}},
		{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "strictatime", "mode=755", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Source: "devpts", Options: []string{"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"}},
		shm,
		{Destination: "/dev/mqueue", Type: "mqueue", Source: "mqueue", Options: []string{"nosuid", "noexec", "nodev"}},
	}
	m = sharedNSMounts(m, c)
	if opt.NoSysfs || opt.HostNetwork {
		// sysfs may only be mounted by the owner of the network namespace.
		return append(m, specs.Mount{Destination: "/sys", Type: "bind", Source: "/sys", Options: []string{"rbind", "nosuid", "noexec", "nodev", "ro"}})
	}
	sysOpts := []string{"nosuid", "noexec", "nodev", "ro"}
	if opt.Security.Privileged {
		sysOpts = sysOpts[:3] // writable where the kernel lets this user namespace write
	}
	return append(m, specs.Mount{Destination: "/sys", Type: "sysfs", Source: "sysfs", Options: sysOpts})
}

// WithCgroupMount shows a container with a cgroup of its own that cgroup
// at /sys/fs/cgroup (its cgroup namespace's root), read-only, as docker
// and podman do: JVMs and the Go, .NET and Node runtimes size heaps and
// thread pools from memory.max and cpu.max there, and without it they
// size for the whole host and get OOM-killed.
// With --privileged it is writable. With --cgroupns host the cgroup
// namespace is the host's, where only the host's root may mount cgroup2:
// the host's hierarchy is bound instead, as podman does.
func WithCgroupMount(s *specs.Spec, writable, hostNS bool) {
	opts := []string{"nosuid", "noexec", "nodev", "ro"}
	if writable {
		opts = opts[:3]
	}
	m := specs.Mount{Destination: "/sys/fs/cgroup", Type: "cgroup2", Source: "cgroup2", Options: opts}
	if hostNS {
		m.Type, m.Source, m.Options = "bind", "/sys/fs/cgroup", append([]string{"rbind"}, opts...)
	}
	s.Mounts = append(s.Mounts, m)
}

// sharedNSMounts binds what the container cannot mount afresh in a
// namespace that burrow's user namespace does not own: the host's /proc
// (--pid host; proc is mounted only by the owner of the PID namespace),
// /dev/mqueue and /dev/shm (--ipc host), and a shareable /dev/shm
// (Controls.ShmDir).
func sharedNSMounts(m []specs.Mount, c Controls) []specs.Mount {
	bind := func(dst, src string, opts ...string) specs.Mount {
		return specs.Mount{Destination: dst, Type: "bind", Source: src, Options: append([]string{"rbind", "nosuid", "nodev"}, opts...)}
	}
	for i, mt := range m {
		switch {
		case mt.Destination == "/proc" && c.PID == NSHost:
			m[i] = bind("/proc", "/proc", "noexec")
		case mt.Destination == "/dev/shm" && c.IPC == NSHost:
			m[i] = bind("/dev/shm", "/dev/shm")
		case mt.Destination == "/dev/mqueue" && c.IPC == NSHost:
			m[i] = bind("/dev/mqueue", "/dev/mqueue", "noexec")
			if _, err := os.Stat("/dev/mqueue"); err != nil {
				// No mqueue on the host to show, and only the host's root
				// may mount one in its IPC namespace.
				m[i] = specs.Mount{Destination: "/dev/mqueue", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "noexec", "size=0", "ro"}}
			}
		case mt.Destination == "/dev/shm" && c.ShmDir != "":
			m[i] = bind("/dev/shm", c.ShmDir, "noexec")
		}
	}
	return m
}

func devices() []specs.LinuxDevice {
	var d []specs.LinuxDevice
	for _, name := range DefaultDevices {
		d = append(d, specs.LinuxDevice{Path: "/dev/" + name, Type: "c"})
	}
	return d
}

func mountsAt(mounts []specs.Mount, dst string) bool {
	for _, m := range mounts {
		if path.Clean(m.Destination) == dst {
			return true
		}
	}
	return false
}

// CheckDestinations refuses two of the user's mounts on one destination
// (-v a:/data -v b:/data, or a volume and a --tmpfs): one would hide the
// other without a word.
func CheckDestinations(destinations []string) error {
	seen := map[string]bool{}
	for _, d := range destinations {
		dst := path.Clean(d)
		if seen[dst] {
			return fmt.Errorf("%w: duplicate mount destination %s", errdefs.ErrInvalidArgument, dst)
		}
		seen[dst] = true
	}
	return nil
}
