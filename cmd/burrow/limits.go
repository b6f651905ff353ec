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
	return l, nil
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
	return out
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
