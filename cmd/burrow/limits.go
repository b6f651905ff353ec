package main

import (
	"fmt"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/docker/go-units"
	"github.com/urfave/cli/v2"
)

// parseLimits reads the resource flags of run, create and update.
func parseLimits(c *cli.Context) (engine.Limits, error) {
	var l engine.Limits
	var err error
	bad := func(flag string, err error) (engine.Limits, error) {
		return l, fmt.Errorf("%w: --%s: %v", errdefs.ErrInvalidArgument, flag, err)
	}
	if v := c.String("memory"); v != "" && v != "0" { // 0: no limit, as docker reads it
		if l.Memory, err = units.RAMInBytes(v); err != nil || l.Memory < 6<<20 {
			return bad("memory", fmt.Errorf("%q: want a size of at least 6m", v))
		}
	}
	if v := c.String("memory-swap"); v == "-1" {
		l.MemorySwap = -1
	} else if v != "" {
		if l.MemorySwap, err = units.RAMInBytes(v); err != nil {
			return bad("memory-swap", err)
		}
		if l.Memory == 0 {
			return bad("memory-swap", fmt.Errorf("needs --memory"))
		}
	}
	if l.CPUs = c.Float64("cpus"); l.CPUs < 0 {
		return bad("cpus", fmt.Errorf("must be positive"))
	}
	if l.CPUShares = c.Uint64("cpu-shares"); l.CPUShares != 0 && (l.CPUShares < 2 || l.CPUShares > 262144) {
		return bad("cpu-shares", fmt.Errorf("%d is outside 2..262144", l.CPUShares))
	}
	l.CpusetCPUs = c.String("cpuset-cpus")
	l.PidsLimit = c.Int64("pids-limit")
	if w := c.Uint("blkio-weight"); w != 0 {
		if w < 10 || w > 1000 {
			return bad("blkio-weight", fmt.Errorf("%d is outside 10..1000", w))
		}
		l.BlkioWeight = uint16(w)
	}
	for _, v := range c.StringSlice("device-read-bps") {
		d, err := engine.ParseDeviceRate(v)
		if err != nil {
			return l, err
		}
		l.DeviceReadBps = append(l.DeviceReadBps, d)
	}
	for _, v := range c.StringSlice("device-write-bps") {
		d, err := engine.ParseDeviceRate(v)
		if err != nil {
			return l, err
		}
		l.DeviceWriteBps = append(l.DeviceWriteBps, d)
	}
	if err := parseMoreLimits(c, &l); err != nil {
		return l, err
	}
	return l, warnIgnoredLimits(c)
}

// parseMoreLimits reads podman's finer cgroup v2 flags.
func parseMoreLimits(c *cli.Context, l *engine.Limits) error {
	var err error
	if v := c.String("memory-reservation"); v != "" && v != "0" {
		if l.MemoryReservation, err = units.RAMInBytes(v); err != nil {
			return fmt.Errorf("%w: --memory-reservation: %v", errdefs.ErrInvalidArgument, err)
		}
	}
	l.CPUPeriod, l.CPUQuota, l.CpusetMems = c.Uint64("cpu-period"), c.Int64("cpu-quota"), c.String("cpuset-mems")
	for _, set := range []struct {
		flag  string
		parse func(string) (engine.DeviceRate, error)
		into  *[]engine.DeviceRate
	}{
		{"blkio-weight-device", engine.ParseDeviceWeight, &l.BlkioWeightDevice},
		{"device-read-iops", engine.ParseDeviceIOPS, &l.DeviceReadIOPS},
		{"device-write-iops", engine.ParseDeviceIOPS, &l.DeviceWriteIOPS},
	} {
		for _, v := range c.StringSlice(set.flag) {
			d, err := set.parse(v)
			if err != nil {
				return fmt.Errorf("--%s: %w", set.flag, err)
			}
			*set.into = append(*set.into, d)
		}
	}
	if !c.Command.HasName("update") {
		for _, v := range c.StringSlice("cgroup-conf") {
			s, err := engine.ParseCgroupConf(v)
			if err != nil {
				return err
			}
			l.Conf = append(l.Conf, s)
		}
		l.Parent = c.String("cgroup-parent")
		switch v := c.String("cgroups"); v {
		case "", "enabled", "no-conmon": // burrow's monitor never joins the container's cgroup
		case "disabled":
			l.Disabled = true
		default:
			return fmt.Errorf("%w: --cgroups %s: want enabled, no-conmon or disabled (split would need a cgroup for burrow's monitor, which stays in yours)", errdefs.ErrInvalidArgument, v)
		}
	}
	return nil
}

// warnIgnoredLimits: what cgroup v2 has no file for is ignored with a
// warning, as podman does there.
func warnIgnoredLimits(c *cli.Context) error {
	if isSet(c, "memory-swappiness") {
		if v := c.Int64("memory-swappiness"); v < -1 || v > 100 {
			return fmt.Errorf("%w: --memory-swappiness %d: want 0..100", errdefs.ErrInvalidArgument, v)
		}
		warn("--memory-swappiness is ignored: cgroup v2 has no per-cgroup swappiness")
	}
	if c.Bool("oom-kill-disable") {
		warn("--oom-kill-disable is ignored: cgroup v2 cannot turn the OOM killer off for a cgroup")
	}
	for _, f := range []string{"cpu-rt-period", "cpu-rt-runtime"} {
		if isSet(c, f) {
			warn("--" + f + " is ignored: cgroup v2 has no realtime CPU budget")
		}
	}
	return nil
}

// moreLimitFlags are run's, create's and (the resource ones) update's.
func moreLimitFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "memory-reservation", Usage: "memory soft limit (memory.low), below --memory"},
		&cli.Int64Flag{Name: "memory-swappiness", Value: -1, Usage: "0..100: accepted and ignored with a warning (cgroup v2 has no per-cgroup swappiness)"},
		&cli.BoolFlag{Name: "oom-kill-disable", Usage: "accepted and ignored with a warning (cgroup v2 cannot disable the OOM killer)"},
		&cli.Uint64Flag{Name: "cpu-period", Usage: "CPU period in µs for --cpu-quota (cpu.max; default 100000)"},
		&cli.Int64Flag{Name: "cpu-quota", Usage: "CPU time in µs the container may use each --cpu-period (cpu.max)"},
		&cli.Uint64Flag{Name: "cpu-rt-period", Usage: "accepted and ignored with a warning (no realtime budget on cgroup v2)"},
		&cli.Int64Flag{Name: "cpu-rt-runtime", Usage: "accepted and ignored with a warning (no realtime budget on cgroup v2)"},
		&cli.StringFlag{Name: "cpuset-mems", Usage: "memory nodes to allocate from (e.g. 0-1; cpuset.mems)"},
		&cli.StringSliceFlag{Name: "blkio-weight-device", Usage: "DEVICE:WEIGHT: relative IO weight on one block device (10..1000)"},
		&cli.StringSliceFlag{Name: "device-read-iops", Usage: "DEVICE:IOPS read operations per second (io.max riops)"},
		&cli.StringSliceFlag{Name: "device-write-iops", Usage: "DEVICE:IOPS write operations per second (io.max wiops)"},
	}
}

// cgroupFlags place the container's cgroup (run and create only).
func cgroupFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "cgroup-conf", Usage: "FILE=VALUE written in the container's cgroup after the limits (memory.high=1g)"},
		&cli.StringFlag{Name: "cgroup-parent", Usage: "the cgroup (relative, or absolute inside your delegated one) the container's cgroup goes under; made if missing"},
		&cli.StringFlag{Name: "cgroups", Value: "enabled", Usage: "enabled (no-conmon: the same, the monitor is never in it), or disabled: no cgroup of its own (no limits, pause or stats)"},
	}
}

func limitFlags() []cli.Flag {
	cmd := runCommand()
	var out []cli.Flag
	for _, f := range cmd.Flags {
		switch f.Names()[0] {
		case "memory", "memory-swap", "cpus", "cpu-shares", "cpuset-cpus", "pids-limit", "blkio-weight", "device-read-bps", "device-write-bps":
			out = append(out, f)
		}
	}
	return append(out, moreLimitFlags()...)
}

func updateCommand() *cli.Command {
	return &cli.Command{
		Name: "update", Usage: "change a running container's resource limits", ArgsUsage: "CONTAINER...",
		Flags: limitFlags(),
		Action: func(c *cli.Context) error {
			limits, err := parseLimits(c)
			if err != nil {
				return err
			}
			return eachContainer(c, "update", selection{}, func(e *engine.Engine, ref string) error {
				return e.Update(ref, limits)
			})
		},
	}
}

func pauseCommand(pause bool) *cli.Command {
	name, usage := "unpause", "resume a paused container"
	if pause {
		name, usage = "pause", "freeze every process of a container (cgroup.freeze)"
	}
	s := selection{allShort: true, want: isRunning}
	if !pause {
		s.want = isPaused
	}
	return &cli.Command{
		Name: name, Usage: usage, ArgsUsage: "CONTAINER...", Flags: s.flags(),
		Action: func(c *cli.Context) error {
			return eachContainer(c, name, s, func(e *engine.Engine, ref string) error {
				return e.Pause(ref, pause)
			})
		},
	}
}

func statsCommand() *cli.Command {
	return &cli.Command{
		Name: "stats", Usage: "show running containers' resource use", ArgsUsage: "[CONTAINER...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "no-stream", Usage: "print once and exit"},
			&cli.StringFlag{Name: "format", Usage: "json, table [TEMPLATE] or a Go template"},
			&cli.BoolFlag{Name: "noheading", Usage: "no header line"},
		},
		Action: statsAction,
	}
}

// statsRow has docker's column names.
type statsRow struct {
	ID, Name, CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs string
}

func statsAction(c *cli.Context) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	for {
		first, err := e.Stats(c.Args().Slice())
		if err != nil {
			return err
		}
		time.Sleep(time.Second)
		second, err := e.Stats(c.Args().Slice())
		if err != nil {
			return err
		}
		if err := printStats(c, first, second); err != nil {
			return err
		}
		if c.Bool("no-stream") {
			return nil
		}
	}
}

func printStats(c *cli.Context, before, after []engine.Stats) error {
	prev := map[string]engine.CgroupStats{}
	for _, b := range before {
		prev[b.ID] = b.Stats
	}
	var rows []statsRow
	for _, a := range after {
		cpu := float64(a.Stats.CPUUsec-prev[a.ID].CPUUsec) / 1e6 * 100 // over one second
		mem, limit := a.Stats.MemoryBytes, a.Stats.MemoryLimit
		perc := "--"
		if limit > 0 {
			perc = fmt.Sprintf("%.2f%%", float64(mem)/float64(limit)*100)
		}
		limitText := "unlimited"
		if limit > 0 {
			limitText = units.BytesSize(float64(limit))
		}
		rows = append(rows, statsRow{
			ID: a.ID[:12], Name: a.Name, CPUPerc: fmt.Sprintf("%.2f%%", cpu),
			MemUsage: units.BytesSize(float64(mem)) + " / " + limitText, MemPerc: perc, NetIO: netIO(a),
			BlockIO: units.BytesSize(float64(a.Stats.ReadBytes)) + " / " + units.BytesSize(float64(a.Stats.WriteBytes)),
			PIDs:    fmt.Sprint(a.Stats.Pids),
		})
	}
	return writeList(rows, listFormat{
		format: c.String("format"), noHeading: c.Bool("noheading"),
		table: "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}",
		headers: map[string]string{
			"ID": "CONTAINER ID", "CPUPerc": "CPU %", "MemUsage": "MEM USAGE / LIMIT", "MemPerc": "MEM %",
			"NetIO": "NET I/O", "BlockIO": "BLOCK I/O", "PIDs": "PIDS",
		},
	})
}

func netIO(s engine.Stats) string {
	if !s.OwnNetwork {
		return "--"
	}
	return units.BytesSize(float64(s.NetRx)) + " / " + units.BytesSize(float64(s.NetTx))
}
