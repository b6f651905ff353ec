package cgroupv2

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/docker/go-units"
	"golang.org/x/sys/unix"
)

// Limits are docker's resource flags (its HostConfig.Resources, where the
// cgroup parent lives too); zero values mean "no limit".
type Limits struct {
	Memory            int64         // --memory, bytes
	MemorySwap        int64         // --memory-swap: memory + swap, bytes; -1 unlimited swap
	MemoryReservation int64         // --memory-reservation: the soft limit, memory.low
	CPUs              float64       // --cpus
	CPUPeriod         uint64        // --cpu-period, µs (cpu.max's period)
	CPUQuota          int64         // --cpu-quota, µs per period; -1 none
	CPUShares         uint64        // --cpu-shares (cgroup v1 scale, 2..262144)
	CpusetCPUs        string        // --cpuset-cpus
	CpusetMems        string        // --cpuset-mems
	PidsLimit         int64         // --pids-limit; -1 unlimited
	BlkioWeight       uint16        // --blkio-weight, 10..1000
	BlkioWeightDevice []DeviceRate  // --blkio-weight-device: Rate is the weight
	DeviceReadBps     []DeviceRate  // --device-read-bps
	DeviceWriteBps    []DeviceRate  // --device-write-bps
	DeviceReadIOPS    []DeviceRate  // --device-read-iops
	DeviceWriteIOPS   []DeviceRate  // --device-write-iops
	Conf              []ConfSetting // --cgroup-conf: interface files written last, in order
	Parent            string        // --cgroup-parent: below the delegated directory
	Disabled          bool          // --cgroups=disabled: no cgroup of its own
}

// ConfSetting is one --cgroup-conf KEY=VALUE: a cgroup interface file and
// what to write in it.
type ConfSetting struct {
	File, Value string
}

// DeviceRate is a per-device io.max rate (or io.weight weight).
type DeviceRate struct {
	Path string
	Rate uint64
}

// Empty reports whether no limit is set (placement aside).
func (l Limits) Empty() bool {
	return len(l.Controllers()) == 0 && len(l.Conf) == 0
}

// Controllers lists the controllers the limits need.
func (l Limits) Controllers() []string {
	var c []string
	add := func(name string, needed bool) {
		if needed && !slices.Contains(c, name) {
			c = append(c, name)
		}
	}
	add("memory", l.Memory != 0 || l.MemorySwap != 0 || l.MemoryReservation != 0)
	add("cpu", l.CPUs != 0 || l.CPUShares != 0 || l.CPUPeriod != 0 || l.CPUQuota != 0)
	add("cpuset", l.CpusetCPUs != "" || l.CpusetMems != "")
	add("pids", l.PidsLimit != 0)
	add("io", l.BlkioWeight != 0 || len(l.BlkioWeightDevice) != 0 || len(l.DeviceReadBps) != 0 || len(l.DeviceWriteBps) != 0 ||
		len(l.DeviceReadIOPS) != 0 || len(l.DeviceWriteIOPS) != 0)
	for _, s := range l.Conf {
		// memory.high needs memory; cgroup.* files are the core's own.
		if ctl, _, _ := strings.Cut(s.File, "."); ctl != "cgroup" {
			add(ctl, true)
		}
	}
	return c
}

// files renders the limits as cgroup v2 interface files.
func (l Limits) files() (map[string]string, error) {
	f := map[string]string{}
	if l.Memory > 0 {
		f["memory.max"] = strconv.FormatInt(l.Memory, 10)
	}
	switch {
	case l.MemorySwap == -1:
		f["memory.swap.max"] = "max"
	case l.MemorySwap > 0:
		if l.MemorySwap < l.Memory {
			return nil, fmt.Errorf("--memory-swap must be at least --memory: %w", errdefs.ErrInvalidArgument)
		}
		f["memory.swap.max"] = strconv.FormatInt(l.MemorySwap-l.Memory, 10)
	}
	if l.MemoryReservation > 0 {
		f["memory.low"] = strconv.FormatInt(l.MemoryReservation, 10)
	}
	if cpuMax := l.cpuMax(); cpuMax != "" {
		f["cpu.max"] = cpuMax
	}
	if l.CPUShares > 0 {
		// docker's mapping of v1 shares (2..262144) onto v2 weights (1..10000).
		f["cpu.weight"] = strconv.FormatUint(1+((l.CPUShares-2)*9999)/262142, 10)
	}
	if l.CpusetCPUs != "" {
		f["cpuset.cpus"] = l.CpusetCPUs
	}
	if l.CpusetMems != "" {
		f["cpuset.mems"] = l.CpusetMems
	}
	if l.PidsLimit > 0 {
		f["pids.max"] = strconv.FormatInt(l.PidsLimit, 10)
	} else if l.PidsLimit < 0 {
		f["pids.max"] = "max"
	}
	var weights []string
	if l.BlkioWeight > 0 {
		weights = append(weights, fmt.Sprintf("default %d", l.BlkioWeight))
	}
	for _, d := range l.BlkioWeightDevice {
		line, err := deviceLine(d, "%d:%d %d")
		if err != nil {
			return nil, err
		}
		weights = append(weights, line)
	}
	if len(weights) > 0 {
		f["io.weight"] = strings.Join(weights, "\n")
	}
	var io []string
	for _, set := range []struct {
		rates []DeviceRate
		key   string
	}{{l.DeviceReadBps, "rbps"}, {l.DeviceWriteBps, "wbps"}, {l.DeviceReadIOPS, "riops"}, {l.DeviceWriteIOPS, "wiops"}} {
		for _, d := range set.rates {
			line, err := deviceLine(d, "%d:%d "+set.key+"=%d")
			if err != nil {
				return nil, err
			}
			io = append(io, line)
		}
	}
	if len(io) > 0 {
		f["io.max"] = strings.Join(io, "\n")
	}
	return f, nil
}

// cpuMax is cpu.max from --cpus, or from --cpu-quota and --cpu-period
// (the kernel's default period when only the quota is given).
func (l Limits) cpuMax() string {
	const period = 100000
	switch {
	case l.CPUs > 0:
		return fmt.Sprintf("%d %d", int64(l.CPUs*period), period)
	case l.CPUQuota == 0 && l.CPUPeriod == 0:
		return ""
	}
	quota, p := "max", l.CPUPeriod
	if l.CPUQuota > 0 {
		quota = strconv.FormatInt(l.CPUQuota, 10)
	}
	if p == 0 {
		p = period
	}
	return fmt.Sprintf("%s %d", quota, p)
}

// deviceLine renders d as format's MAJOR, MINOR and value, d.Path being a
// block device.
func deviceLine(d DeviceRate, format string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(d.Path, &st); err != nil {
		return "", fmt.Errorf("device %s: %w", d.Path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", fmt.Errorf("%s is not a block device: %w", d.Path, errdefs.ErrInvalidArgument)
	}
	return fmt.Sprintf(format, unix.Major(st.Rdev), unix.Minor(st.Rdev), d.Rate), nil
}

// Apply writes the limits into the cgroup directory.
func Apply(dir string, l Limits) error {
	files, err := l.files()
	if err != nil {
		return err
	}
	for name, value := range files {
		for _, line := range strings.Split(value, "\n") {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(line), 0); err != nil {
				return fmt.Errorf("set %s to %q: %w", name, line, err)
			}
		}
	}
	// --cgroup-conf last: it is there to override.
	for _, s := range l.Conf {
		if err := os.WriteFile(filepath.Join(dir, s.File), []byte(s.Value), 0); err != nil {
			return fmt.Errorf("--cgroup-conf %s=%s: %w", s.File, s.Value, err)
		}
	}
	return nil
}

// ParseConf reads --cgroup-conf FILE=VALUE. FILE is an interface file of
// the container's own cgroup (memory.high, cgroup.max.descendants); the
// files through which burrow places and removes processes stay its own.
func ParseConf(v string) (ConfSetting, error) {
	file, value, ok := strings.Cut(v, "=")
	bad := func(why string) (ConfSetting, error) {
		return ConfSetting{}, fmt.Errorf("--cgroup-conf %q: %s: %w", v, why, errdefs.ErrInvalidArgument)
	}
	switch {
	case !ok || file == "":
		return bad("want FILE=VALUE")
	case strings.ContainsRune(file, '/') || !strings.Contains(file, ".") || strings.HasPrefix(file, "."):
		return bad("FILE is a cgroup interface file such as memory.high")
	case slices.Contains([]string{"cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.kill", "cgroup.freeze", "cgroup.type"}, file):
		return bad("burrow manages " + file + " itself")
	}
	return ConfSetting{File: file, Value: value}, nil
}

// ParseDeviceWeight reads --blkio-weight-device /dev/sda:200.
func ParseDeviceWeight(v string) (DeviceRate, error) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return DeviceRate{}, fmt.Errorf("device weight %q: want DEVICE:WEIGHT: %w", v, errdefs.ErrInvalidArgument)
	}
	w, err := strconv.ParseUint(v[i+1:], 10, 16)
	if err != nil || w < 10 || w > 1000 {
		return DeviceRate{}, fmt.Errorf("device weight %q: the weight is 10..1000: %w", v, errdefs.ErrInvalidArgument)
	}
	return DeviceRate{Path: v[:i], Rate: w}, nil
}

// ParseDeviceIOPS reads --device-read-iops /dev/sda:1000.
func ParseDeviceIOPS(v string) (DeviceRate, error) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return DeviceRate{}, fmt.Errorf("device rate %q: want DEVICE:IOPS: %w", v, errdefs.ErrInvalidArgument)
	}
	n, err := strconv.ParseUint(v[i+1:], 10, 64)
	if err != nil || n == 0 {
		return DeviceRate{}, fmt.Errorf("device rate %q: IOPS is a positive number: %w", v, errdefs.ErrInvalidArgument)
	}
	return DeviceRate{Path: v[:i], Rate: n}, nil
}

// ParseDeviceRate reads --device-read-bps /dev/sda:10mb.
func ParseDeviceRate(v string) (DeviceRate, error) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 {
		return DeviceRate{}, fmt.Errorf("device rate %q: want DEVICE:RATE: %w", v, errdefs.ErrInvalidArgument)
	}
	rate, err := units.RAMInBytes(v[i+1:])
	if err != nil || rate <= 0 {
		return DeviceRate{}, fmt.Errorf("device rate %q: %w", v, errdefs.ErrInvalidArgument)
	}
	return DeviceRate{Path: v[:i], Rate: uint64(rate)}, nil
}
