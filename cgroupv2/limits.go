package cgroupv2

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/docker/go-units"
	"golang.org/x/sys/unix"
)

// Limits are docker's resource flags; zero values mean "no limit".
type Limits struct {
	Memory         int64        // --memory, bytes
	MemorySwap     int64        // --memory-swap: memory + swap, bytes; -1 unlimited swap
	CPUs           float64      // --cpus
	CPUShares      uint64       // --cpu-shares (cgroup v1 scale, 2..262144)
	CpusetCPUs     string       // --cpuset-cpus
	PidsLimit      int64        // --pids-limit; -1 unlimited
	BlkioWeight    uint16       // --blkio-weight, 10..1000
	DeviceReadBps  []DeviceRate // --device-read-bps
	DeviceWriteBps []DeviceRate // --device-write-bps
}

// DeviceRate is a per-device io.max rate.
type DeviceRate struct {
	Path string
	Rate uint64
}

// Empty reports whether no limit is set.
func (l Limits) Empty() bool {
	return l.Memory == 0 && l.MemorySwap == 0 && l.CPUs == 0 && l.CPUShares == 0 && l.CpusetCPUs == "" &&
		l.PidsLimit == 0 && l.BlkioWeight == 0 && len(l.DeviceReadBps) == 0 && len(l.DeviceWriteBps) == 0
}

// Controllers lists the controllers the limits need.
func (l Limits) Controllers() []string {
	var c []string
	if l.Memory != 0 || l.MemorySwap != 0 {
		c = append(c, "memory")
	}
	if l.CPUs != 0 || l.CPUShares != 0 {
		c = append(c, "cpu")
	}
	if l.CpusetCPUs != "" {
		c = append(c, "cpuset")
	}
	if l.PidsLimit != 0 {
		c = append(c, "pids")
	}
	if l.BlkioWeight != 0 || len(l.DeviceReadBps) != 0 || len(l.DeviceWriteBps) != 0 {
		c = append(c, "io")
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
	if l.CPUs > 0 {
		const period = 100000
		f["cpu.max"] = fmt.Sprintf("%d %d", int64(l.CPUs*period), period)
	}
	if l.CPUShares > 0 {
		// docker's mapping of v1 shares (2..262144) onto v2 weights (1..10000).
		f["cpu.weight"] = strconv.FormatUint(1+((l.CPUShares-2)*9999)/262142, 10)
	}
	if l.CpusetCPUs != "" {
		f["cpuset.cpus"] = l.CpusetCPUs
	}
	if l.PidsLimit > 0 {
		f["pids.max"] = strconv.FormatInt(l.PidsLimit, 10)
	} else if l.PidsLimit < 0 {
		f["pids.max"] = "max"
	}
	if l.BlkioWeight > 0 {
		f["io.weight"] = fmt.Sprintf("default %d", l.BlkioWeight)
	}
	var io []string
	for _, d := range l.DeviceReadBps {
		line, err := ioMax(d, "rbps")
		if err != nil {
			return nil, err
		}
		io = append(io, line)
	}
	for _, d := range l.DeviceWriteBps {
		line, err := ioMax(d, "wbps")
		if err != nil {
			return nil, err
		}
		io = append(io, line)
	}
	if len(io) > 0 {
		f["io.max"] = strings.Join(io, "\n")
	}
	return f, nil
}

func ioMax(d DeviceRate, key string) (string, error) {
	var st unix.Stat_t
	if err := unix.Stat(d.Path, &st); err != nil {
		return "", fmt.Errorf("device %s: %w", d.Path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFBLK {
		return "", fmt.Errorf("%s is not a block device: %w", d.Path, errdefs.ErrInvalidArgument)
	}
	return fmt.Sprintf("%d:%d %s=%d", unix.Major(st.Rdev), unix.Minor(st.Rdev), key, d.Rate), nil
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
	return nil
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
