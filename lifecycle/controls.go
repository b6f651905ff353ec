package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/monitor"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/ocispec"
	"github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// ControlFlags are the run flags over devices, groups, sysctls, limits
// and shared namespaces as the user typed them.
type ControlFlags struct {
	Devices, GroupAdd, Sysctls, Ulimits []string
	ShmSize                             string
	OOMScoreAdj                         *int
	PID, IPC, UTS, Cgroupns             string
	StopSignal                          string // --stop-signal
	StopTimeout                         *int   // --stop-timeout in seconds
}

// Controls checks f against itself, the network mode and the host name,
// and resolves devices and limits. Warnings are for the user (devices
// left out because the user cannot open them).
func Controls(f ControlFlags, net network.Mode, hostname string) (ocispec.Controls, []string, error) {
	c := ocispec.Controls{PID: f.PID, IPC: f.IPC, UTS: f.UTS, Cgroupns: f.Cgroupns, OOMScoreAdj: f.OOMScoreAdj}
	for _, g := range f.GroupAdd {
		if g == "keep-groups" {
			c.KeepGroups = true
		} else {
			c.GroupAdd = append(c.GroupAdd, g)
		}
	}
	if f.StopSignal != "" {
		if _, err := ParseSignal(f.StopSignal); err != nil {
			return c, nil, fmt.Errorf("--stop-signal: %w", err)
		}
	}
	if f.StopTimeout != nil && *f.StopTimeout < 0 {
		return c, nil, fmt.Errorf("%w: --stop-timeout %d (want seconds, 0 or more)", errdefs.ErrInvalidArgument, *f.StopTimeout)
	}
	var err error
	if c.Sysctls, err = ocispec.ParseSysctls(f.Sysctls); err != nil {
		return c, nil, err
	}
	ulimits, err := ocispec.ParseUlimits(f.Ulimits, hardLimit)
	if err != nil {
		return c, nil, err
	}
	c.Ulimits = ocispec.DefaultUlimits(ulimits, hardLimit)
	if f.ShmSize != "" {
		if c.ShmSize, err = units.RAMInBytes(f.ShmSize); err != nil || c.ShmSize <= 0 {
			return c, nil, fmt.Errorf("%w: --shm-size %q (want a size such as 256m)", errdefs.ErrInvalidArgument, f.ShmSize)
		}
	}
	sharedNetwork := ""
	if !net.OwnNamespace() {
		sharedNetwork = net.String()
	}
	if err := ocispec.CheckControls(c, sharedNetwork, hostname); err != nil {
		return c, nil, err
	}
	if err := checkOOMScoreAdj(f.OOMScoreAdj); err != nil {
		return c, nil, err
	}
	var warnings []string
	devs, skipped, err := Devices(f.Devices)
	if err != nil {
		return c, nil, err
	}
	c.Devices = devs
	if len(skipped) > 0 {
		warnings = append(warnings, fmt.Sprintf("--device: left out %s: you cannot open it for reading and writing on the host", strings.Join(skipped, ", ")))
	}
	return c, warnings, nil
}

func hardLimit(resource int) uint64 {
	var r unix.Rlimit
	if err := unix.Getrlimit(resource, &r); err != nil {
		return unix.RLIM_INFINITY
	}
	return r.Max
}

// checkOOMScoreAdj refuses a value below burrow's own: lowering it needs
// CAP_SYS_RESOURCE on the host, which no rootless process has.
func checkOOMScoreAdj(v *int) error {
	if v == nil {
		return nil
	}
	data, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		return nil
	}
	own, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err == nil && *v < own {
		return fmt.Errorf("%w: --oom-score-adj %d is below burrow's own %d: lowering it needs CAP_SYS_RESOURCE on the host, which a rootless user lacks", errdefs.ErrInvalidArgument, *v, own)
	}
	return nil
}

// joinNamespaces resolves --pid, --ipc and --uts container:NAME to the
// running container's namespace files.
func joinNamespaces(s storage.Store, runRoot string, c *ocispec.Controls) error {
	for _, n := range []struct {
		flag, mode string
		t          specs.LinuxNamespaceType
		file       string
	}{{"--pid", c.PID, specs.PIDNamespace, "pid"}, {"--ipc", c.IPC, specs.IPCNamespace, "ipc"}, {"--uts", c.UTS, specs.UTSNamespace, "uts"}} {
		name, ok := strings.CutPrefix(n.mode, ocispec.NSContainer)
		if !ok {
			continue
		}
		other, err := Find(s, runRoot, name)
		if err != nil {
			return fmt.Errorf("%s %s: %w", n.flag, n.mode, err)
		}
		if !other.Running {
			return fmt.Errorf("%s %s: the container is not running, so it has no namespace to join: %w", n.flag, n.mode, errdefs.ErrInvalidArgument)
		}
		theirs := map[specs.LinuxNamespaceType]string{specs.PIDNamespace: other.Record.Namespaces.PID,
			specs.IPCNamespace: other.Record.Namespaces.IPC, specs.UTSNamespace: other.Record.Namespaces.UTS}[n.t]
		if theirs == ocispec.NSHost {
			return fmt.Errorf("%s %s: that container uses the host's namespace: give %s host: %w", n.flag, n.mode, n.flag, errdefs.ErrInvalidArgument)
		}
		if n.t == specs.UTSNamespace {
			// From its spec: a file in its root could be a symlink out of it.
			if spec, err := loadSpec(s, other.ID); err == nil {
				c.JoinedHostname = spec.Hostname
			}
		}
		if n.t == specs.IPCNamespace {
			if theirs != ocispec.NSShareable {
				return fmt.Errorf("--ipc %s: its IPC namespace is private: run it with --ipc shareable to share it: %w", n.mode, errdefs.ErrInvalidArgument)
			}
			dir, err := s.ContainerRunDirectory(other.ID)
			if err != nil {
				return err
			}
			c.ShmDir = filepath.Join(dir, shmDir)
		}
		c.NSPaths = mapWith(c.NSPaths, n.t, fmt.Sprintf("/proc/%d/ns/%s", other.Pid, n.file))
	}
	return nil
}

// shmDir is a shareable container's /dev/shm in its run directory.
const shmDir = "shm"

// makeShmDir makes the /dev/shm of a container with --ipc shareable: a
// tmpfs of its own (--shm-size, else docker's 64m) on a directory in its
// run directory. It is mounted in burrow's mount namespace, where every
// container's mounts are made, so a container that joins the IPC
// namespace (--ipc container:) binds the same one. Mounting it again when
// it is there already is nothing (start after stop).
func makeShmDir(s storage.Store, id string, c *ocispec.Controls) error {
	if c.IPC != ocispec.NSShareable {
		return nil
	}
	dir, err := s.ContainerRunDirectory(id)
	if err != nil {
		return err
	}
	c.ShmDir = filepath.Join(dir, shmDir)
	if err := os.Mkdir(c.ShmDir, 0o1777); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("make the shareable /dev/shm: %w", err)
	}
	if mounted, err := isMountPoint(c.ShmDir); err != nil || mounted {
		return err
	}
	size := c.ShmSize
	if size <= 0 {
		size = defaultShmSize
	}
	data := fmt.Sprintf("mode=1777,size=%dk", (size+1023)/1024)
	if err := unix.Mount("shm", c.ShmDir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, data); err != nil {
		return fmt.Errorf("mount the shareable /dev/shm (%s): %w", data, err)
	}
	return nil
}

// defaultShmSize is docker's /dev/shm.
const defaultShmSize = 64 << 20

// unmountShmDir takes a shareable /dev/shm away before its container's
// run directory goes; a missing one is nothing.
func unmountShmDir(s storage.Store, id string) error {
	dir, err := s.ContainerRunDirectory(id)
	if err != nil {
		return nil
	}
	err = unix.Unmount(filepath.Join(dir, shmDir), unix.MNT_DETACH)
	if err != nil && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("unmount the shareable /dev/shm: %w", err)
	}
	return nil
}

// isMountPoint reports whether dir is on another file system than its
// parent (both sit on tmpfs here, so the device tells them apart).
func isMountPoint(dir string) (bool, error) {
	var st, parent unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return false, err
	}
	if err := unix.Lstat(filepath.Dir(dir), &parent); err != nil {
		return false, err
	}
	return st.Dev != parent.Dev, nil
}

// joinedContainers are the containers whose namespaces rec joins, by ID,
// for its monitor to join again when it restarts the container.
func joinedContainers(s storage.Store, runRoot string, rec Record) []monitor.Join {
	var joins []monitor.Join
	netMode := ""
	if net := network.MustParse(rec.Network); net.Kind == network.Container {
		netMode = ocispec.NSContainer + net.Target
	}
	for _, n := range []struct {
		t    specs.LinuxNamespaceType
		mode string
	}{{specs.PIDNamespace, rec.Namespaces.PID}, {specs.IPCNamespace, rec.Namespaces.IPC}, {specs.UTSNamespace, rec.Namespaces.UTS}, {specs.NetworkNamespace, netMode}} {
		name, ok := strings.CutPrefix(n.mode, ocispec.NSContainer)
		if !ok {
			continue
		}
		if other, err := Find(s, runRoot, name); err == nil {
			joins = append(joins, monitor.Join{Type: n.t, ID: other.ID})
		}
	}
	return joins
}

func mapWith(m map[specs.LinuxNamespaceType]string, k specs.LinuxNamespaceType, v string) map[specs.LinuxNamespaceType]string {
	if m == nil {
		m = map[specs.LinuxNamespaceType]string{}
	}
	m[k] = v
	return m
}

// rejoinNamespaces points a restarted container's spec at the namespaces
// of the containers it joins (--pid, --ipc, --uts, --network container:)
// as they run now: the PIDs recorded at create are gone, or someone else's.
func rejoinNamespaces(s storage.Store, runRoot string, rec Record, spec *specs.Spec) error {
	c := ocispec.Controls{PID: rec.Namespaces.PID, IPC: rec.Namespaces.IPC, UTS: rec.Namespaces.UTS}
	if err := joinNamespaces(s, runRoot, &c); err != nil {
		return err
	}
	netns, err := sharedNetns(s, runRoot, network.MustParse(rec.Network))
	if err != nil {
		return err
	}
	if netns != "" {
		c.NSPaths = mapWith(c.NSPaths, specs.NetworkNamespace, netns)
	}
	for i, ns := range spec.Linux.Namespaces {
		if p, ok := c.NSPaths[ns.Type]; ok {
			spec.Linux.Namespaces[i].Path = p
		}
	}
	return nil
}
