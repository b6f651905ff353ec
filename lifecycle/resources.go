package lifecycle

import (
	"fmt"
	"slices"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/network"
	"go.podman.io/storage"
)

// runningCgroup is a running container's cgroup, or why there is none.
func runningCgroup(s storage.Store, c Container) (string, error) {
	if !c.Running {
		return "", fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	dir := cgroupOf(s, c.ID)
	if dir == "" {
		return "", fmt.Errorf("container %s has no cgroup (%s): %w", c.Record.Name, cgroupv2.DelegationFix, errdefs.ErrInvalidArgument)
	}
	return dir, nil
}

// Pause freezes (or thaws) every process of a running container.
func Pause(s storage.Store, c Container, pause bool) error {
	dir, err := runningCgroup(s, c)
	if err != nil {
		return err
	}
	return cgroupv2.Freeze(dir, pause)
}

// Update changes a running container's limits and records them for its
// next start.
func Update(s storage.Store, c Container, l cgroupv2.Limits) error {
	dir, err := runningCgroup(s, c)
	if err != nil {
		return err
	}
	if err := cgroupv2.Apply(dir, l); err != nil {
		return err
	}
	c.Record.Limits = mergeLimits(c.Record.Limits, l)
	meta, err := c.Record.encode()
	if err != nil {
		return err
	}
	return s.SetMetadata(c.ID, meta)
}

func mergeLimits(old, changed cgroupv2.Limits) cgroupv2.Limits {
	if changed.Memory != 0 {
		old.Memory = changed.Memory
	}
	if changed.MemorySwap != 0 {
		old.MemorySwap = changed.MemorySwap
	}
	if changed.CPUs != 0 {
		old.CPUs = changed.CPUs
	}
	if changed.CPUShares != 0 {
		old.CPUShares = changed.CPUShares
	}
	if changed.CPUPeriod != 0 || changed.CPUQuota != 0 {
		old.CPUs, old.CPUPeriod, old.CPUQuota = 0, changed.CPUPeriod, changed.CPUQuota
	} else if changed.CPUs != 0 {
		old.CPUPeriod, old.CPUQuota = 0, 0
	}
	if changed.MemoryReservation != 0 {
		old.MemoryReservation = changed.MemoryReservation
	}
	if changed.CpusetMems != "" {
		old.CpusetMems = changed.CpusetMems
	}
	if changed.CpusetCPUs != "" {
		old.CpusetCPUs = changed.CpusetCPUs
	}
	if changed.PidsLimit != 0 {
		old.PidsLimit = changed.PidsLimit
	}
	if changed.BlkioWeight != 0 {
		old.BlkioWeight = changed.BlkioWeight
	}
	old.DeviceReadBps = mergeRates(old.DeviceReadBps, changed.DeviceReadBps)
	old.DeviceWriteBps = mergeRates(old.DeviceWriteBps, changed.DeviceWriteBps)
	old.DeviceReadIOPS = mergeRates(old.DeviceReadIOPS, changed.DeviceReadIOPS)
	old.DeviceWriteIOPS = mergeRates(old.DeviceWriteIOPS, changed.DeviceWriteIOPS)
	old.BlkioWeightDevice = mergeRates(old.BlkioWeightDevice, changed.BlkioWeightDevice)
	return old
}

// mergeRates gives each device in changed its new rate and keeps the others'.
func mergeRates(old, changed []cgroupv2.DeviceRate) []cgroupv2.DeviceRate {
	out := slices.Clone(old)
	for _, c := range changed {
		if i := slices.IndexFunc(out, func(r cgroupv2.DeviceRate) bool { return r.Path == c.Path }); i >= 0 {
			out[i] = c
		} else {
			out = append(out, c)
		}
	}
	return out
}

// ContainerStats is one container's counters.
type ContainerStats struct {
	ID, Name string
	Stats    cgroupv2.Stats
	// OwnNetwork is false with --network host (the host's counters are
	// not the container's); NetRx and NetTx are bytes on its interfaces.
	OwnNetwork   bool
	NetRx, NetTx int64
}

// Stats reads the counters of the named running containers (all when none are named).
func Stats(s storage.Store, runRoot string, refs []string) ([]ContainerStats, error) {
	var ctrs []Container
	if len(refs) == 0 {
		all, err := List(s, runRoot)
		if err != nil {
			return nil, err
		}
		for _, c := range all {
			if c.Running {
				ctrs = append(ctrs, c)
			}
		}
	}
	for _, ref := range refs {
		c, err := Find(s, runRoot, ref)
		if err != nil {
			return nil, err
		}
		ctrs = append(ctrs, c)
	}
	var out []ContainerStats
	for _, c := range ctrs {
		dir, err := runningCgroup(s, c)
		if err != nil {
			return nil, err
		}
		st := ContainerStats{ID: c.ID, Name: c.Record.Name, Stats: cgroupv2.Read(dir), OwnNetwork: network.MustParse(c.Record.Network).Kind != network.Host}
		if st.OwnNetwork {
			// A container that just ended has no /proc entry: zeros, as for its cgroup.
			st.NetRx, st.NetTx, _ = network.Counters(c.Pid)
		}
		out = append(out, st)
	}
	return out, nil
}
