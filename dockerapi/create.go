package dockerapi

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
)

// createOptions maps a create request onto the engine's options: the
// HostConfig parts burrow has. The engine checks the values, as it checks
// the CLI's.
func createOptions(name string, req container.CreateRequest) (engine.RunOptions, error) {
	if req.Config == nil || req.Image == "" {
		return engine.RunOptions{}, fmt.Errorf("%w: create needs Config.Image", errdefs.ErrInvalidArgument)
	}
	if err := unsupported(req); err != nil {
		return engine.RunOptions{}, err
	}
	c := req.Config
	o := engine.ContainerOptions{
		Image: c.Image, Command: c.Cmd, Name: strings.TrimPrefix(name, "/"), Env: c.Env, Workdir: c.WorkingDir,
		User: c.User, Hostname: c.Hostname, Terminal: c.Tty, Labels: c.Labels,
		OpenStdin: c.OpenStdin, StdinOnce: c.StdinOnce,
	}
	o.Controls.StopSignal, o.Controls.StopTimeout = c.StopSignal, c.StopTimeout
	if h := c.Healthcheck; h != nil {
		o.Health = engine.HealthOptions{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout, StartPeriod: h.StartPeriod, Retries: h.Retries, StartInterval: h.StartInterval}
		o.Health.None = len(h.Test) > 0 && h.Test[0] == "NONE"
		if o.Health.None {
			o.Health.Test = nil
		}
	}
	if c.Entrypoint != nil {
		// The API's entrypoint is a list; burrow's is one program, with the
		// rest of the list before the command.
		ep := ""
		if len(c.Entrypoint) > 0 {
			ep = c.Entrypoint[0]
			o.Command = append(append([]string{}, c.Entrypoint[1:]...), c.Cmd...)
		}
		o.Entrypoint = &ep
	}
	if h := req.HostConfig; h != nil {
		hostOptions(&o, h)
		var err error
		if o.Limits, err = limits(h.Resources); err != nil {
			return engine.RunOptions{}, err
		}
		if err := mountOptions(&o, h.Mounts); err != nil {
			return engine.RunOptions{}, err
		}
		o.Publish = publishOptions(h.PortBindings, c.ExposedPorts, h.PublishAllPorts)
	}
	volumeOptions(&o, req)
	if req.NetworkingConfig != nil {
		if ep := req.NetworkingConfig.EndpointsConfig[o.Network]; ep != nil && o.Network != "" {
			o.NetworkAliases = ep.Aliases
			if ep.IPAMConfig != nil && ep.IPAMConfig.IPv4Address.IsValid() {
				o.IP = ep.IPAMConfig.IPv4Address.String()
			}
		}
	}
	return engine.RunOptions{ContainerOptions: o, Pull: engine.PullNever}, nil
}

// hostOptions maps the HostConfig values that are one flag each.
func hostOptions(o *engine.ContainerOptions, h *container.HostConfig) {
	o.Volumes, o.AutoRemove, o.ReadOnly, o.Privileged = h.Binds, h.AutoRemove, h.ReadonlyRootfs, h.Privileged
	o.CapAdd, o.CapDrop, o.SecurityOptions = h.CapAdd, h.CapDrop, h.SecurityOpt
	o.DNSSearch, o.DNSOptions, o.AddHosts = h.DNSSearch, h.DNSOptions, h.ExtraHosts
	for _, d := range h.DNS {
		o.DNS = append(o.DNS, d.String())
	}
	o.PublishAll = h.PublishAllPorts
	switch mode := string(h.NetworkMode); mode {
	case "", "default", "bridge":
		// burrow's default: pasta, else slirp4netns.
	default:
		o.Network = mode
	}
	for _, l := range h.Links {
		o.Links = append(o.Links, link(l))
	}
	if p := h.RestartPolicy; p.Name != "" && p.Name != "no" {
		o.Restart = string(p.Name)
		if p.Name == "on-failure" && p.MaximumRetryCount > 0 {
			o.Restart += ":" + strconv.Itoa(p.MaximumRetryCount)
		}
	}
	for dst, opts := range h.Tmpfs {
		if opts != "" {
			dst += ":" + opts
		}
		o.Tmpfs = append(o.Tmpfs, dst)
	}
	if h.Init != nil {
		o.Init = *h.Init
	}
	for k, v := range h.LogConfig.Config {
		o.LogOptions = append(o.LogOptions, k+"="+v)
	}
	o.Controls = controls(o.Controls, h)
}

// link turns the API's two shapes of a link, "db:alias" and docker's
// stored "/db:/web/alias", into --link's CTR:ALIAS.
func link(l string) string {
	name, alias, ok := strings.Cut(l, ":")
	name = strings.TrimPrefix(name, "/")
	if !ok {
		return name
	}
	if i := strings.LastIndexByte(alias, '/'); i >= 0 {
		alias = alias[i+1:]
	}
	return name + ":" + alias
}

// limits maps Resources onto the engine's limits, field for field: the
// engine checks them as it checks the run flags of the same names.
func limits(r container.Resources) (engine.Limits, error) {
	l := engine.Limits{Memory: r.Memory, MemorySwap: r.MemorySwap, MemoryReservation: r.MemoryReservation,
		CPUs: float64(r.NanoCPUs) / 1e9, CPUQuota: r.CPUQuota, CpusetCPUs: r.CpusetCpus, CpusetMems: r.CpusetMems,
		BlkioWeight: r.BlkioWeight, Parent: r.CgroupParent}
	if r.CPUPeriod < 0 {
		return l, fmt.Errorf("%w: HostConfig.CpuPeriod %d: want 1000..1000000 µs", errdefs.ErrInvalidArgument, r.CPUPeriod)
	}
	l.CPUPeriod = uint64(r.CPUPeriod)
	if r.CPUShares > 0 {
		l.CPUShares = uint64(r.CPUShares)
	}
	if r.PidsLimit != nil && *r.PidsLimit > 0 {
		// docker's 0 and -1 are "no limit", burrow's default, which
		// needs no pids controller.
		l.PidsLimit = *r.PidsLimit
	}
	for _, d := range r.BlkioWeightDevice {
		if d != nil {
			l.BlkioWeightDevice = append(l.BlkioWeightDevice, engine.DeviceRate{Path: d.Path, Rate: uint64(d.Weight)})
		}
	}
	for _, set := range []struct {
		from []*blkiodev.ThrottleDevice
		into *[]engine.DeviceRate
	}{
		{r.BlkioDeviceReadBps, &l.DeviceReadBps}, {r.BlkioDeviceWriteBps, &l.DeviceWriteBps},
		{r.BlkioDeviceReadIOps, &l.DeviceReadIOPS}, {r.BlkioDeviceWriteIOps, &l.DeviceWriteIOPS},
	} {
		for _, d := range set.from {
			if d != nil {
				*set.into = append(*set.into, engine.DeviceRate{Path: d.Path, Rate: d.Rate})
			}
		}
	}
	return l, nil
}

// resources is limits the other way, for inspect.
func resources(l engine.Limits) container.Resources {
	r := container.Resources{Memory: l.Memory, MemorySwap: l.MemorySwap, MemoryReservation: l.MemoryReservation,
		NanoCPUs: int64(l.CPUs * 1e9), CPUPeriod: int64(l.CPUPeriod), CPUQuota: l.CPUQuota, CPUShares: int64(l.CPUShares),
		CpusetCpus: l.CpusetCPUs, CpusetMems: l.CpusetMems, BlkioWeight: l.BlkioWeight, CgroupParent: l.Parent}
	if l.PidsLimit != 0 {
		n := l.PidsLimit
		r.PidsLimit = &n
	}
	for _, d := range l.BlkioWeightDevice {
		r.BlkioWeightDevice = append(r.BlkioWeightDevice, &blkiodev.WeightDevice{Path: d.Path, Weight: uint16(d.Rate)})
	}
	throttle := func(list []engine.DeviceRate) []*blkiodev.ThrottleDevice {
		var out []*blkiodev.ThrottleDevice
		for _, d := range list {
			out = append(out, &blkiodev.ThrottleDevice{Path: d.Path, Rate: d.Rate})
		}
		return out
	}
	r.BlkioDeviceReadBps, r.BlkioDeviceWriteBps = throttle(l.DeviceReadBps), throttle(l.DeviceWriteBps)
	r.BlkioDeviceReadIOps, r.BlkioDeviceWriteIOps = throttle(l.DeviceReadIOPS), throttle(l.DeviceWriteIOPS)
	return r
}

// controls maps devices, groups, sysctls, ulimits and namespace modes
// onto the values of the run flags of the same names.
func controls(c engine.ControlOptions, h *container.HostConfig) engine.ControlOptions {
	for _, d := range h.Devices {
		v := d.PathOnHost
		if d.PathInContainer != "" {
			v += ":" + d.PathInContainer
		}
		if d.CgroupPermissions != "" {
			if d.PathInContainer == "" {
				v += ":" + d.PathOnHost
			}
			v += ":" + d.CgroupPermissions
		}
		c.Devices = append(c.Devices, v)
	}
	c.GroupAdd = h.GroupAdd
	for k, v := range h.Sysctls {
		c.Sysctls = append(c.Sysctls, k+"="+v)
	}
	for _, u := range h.Ulimits {
		if u != nil {
			c.Ulimits = append(c.Ulimits, fmt.Sprintf("%s=%d:%d", u.Name, u.Soft, u.Hard))
		}
	}
	if h.ShmSize > 0 {
		c.ShmSize = strconv.FormatInt(h.ShmSize, 10)
	}
	if h.OomScoreAdj != 0 {
		adj := h.OomScoreAdj
		c.OOMScoreAdj = &adj
	}
	// docker's "private" is burrow's default for pid and uts; for ipc it
	// is a value of its own, as for cgroupns.
	c.PID = strings.TrimPrefix(string(h.PidMode), "private")
	c.UTS = strings.TrimPrefix(string(h.UTSMode), "private")
	c.IPC, c.Cgroupns = string(h.IpcMode), string(h.CgroupnsMode)
	return c
}

// mountOptions maps Mounts of type bind, volume and tmpfs onto -v,
// --mount and --tmpfs.
func mountOptions(o *engine.ContainerOptions, mounts []mount.Mount) error {
	for _, m := range mounts {
		switch m.Type {
		case mount.TypeBind:
			v := m.Source + ":" + m.Target
			var opts []string
			if m.ReadOnly {
				opts = append(opts, "ro")
			}
			if b := m.BindOptions; b != nil && b.Propagation != "" {
				opts = append(opts, string(b.Propagation))
			}
			if len(opts) > 0 {
				v += ":" + strings.Join(opts, ",")
			}
			o.Volumes = append(o.Volumes, v)
		case mount.TypeVolume:
			v, _, err := volumeMount(m)
			if err != nil {
				return err
			}
			o.Mounts = append(o.Mounts, v)
		case mount.TypeTmpfs:
			var opts []string
			if t := m.TmpfsOptions; t != nil {
				if t.SizeBytes > 0 {
					opts = append(opts, "size="+strconv.FormatInt(t.SizeBytes, 10))
				}
				if t.Mode != 0 {
					opts = append(opts, fmt.Sprintf("mode=%o", tmpfsMode(t.Mode)))
				}
			}
			if m.ReadOnly {
				opts = append(opts, "ro")
			}
			v := m.Target
			if len(opts) > 0 {
				v += ":" + strings.Join(opts, ",")
			}
			o.Tmpfs = append(o.Tmpfs, v)
		default:
			return fmt.Errorf("%w: burrow does not support HostConfig.Mounts of type %q yet (bind, volume and tmpfs are)", errdefs.ErrInvalidArgument, m.Type)
		}
	}
	return nil
}

// publishOptions maps PortBindings onto -p values. An empty or zero host
// port asks for a free one, as docker picks; with PublishAllPorts the
// exposed ports of the request are published too (the image's are added
// by the engine).
func publishOptions(bindings network.PortMap, exposed network.PortSet, all bool) []string {
	var out []string
	for port, list := range bindings {
		for _, b := range list {
			host := b.HostPort
			if host == "" {
				host = "0"
			}
			spec := host + ":" + fmt.Sprintf("%s/%s", port.Port(), port.Proto())
			if b.HostIP.IsValid() && !b.HostIP.IsUnspecified() {
				spec = b.HostIP.String() + ":" + spec
			}
			out = append(out, spec)
		}
	}
	if all {
		for port := range exposed {
			if _, bound := bindings[port]; !bound {
				out = append(out, fmt.Sprintf("0:%s/%s", port.Port(), port.Proto()))
			}
		}
	}
	return out
}

// unsupported refuses, by name, the create fields burrow's API does not
// apply: a silent ignore would run something else than was asked.
func unsupported(req container.CreateRequest) error {
	var what []string
	add := func(set bool, name string) {
		if set {
			what = append(what, name)
		}
	}
	if h := req.HostConfig; h != nil {
		add(h.UsernsMode != "" && h.UsernsMode != "host", "HostConfig.UsernsMode")
		add(h.VolumeDriver != "" && h.VolumeDriver != "local", "HostConfig.VolumeDriver")
		add(h.Runtime != "" && h.Runtime != "runc" && h.Runtime != "burrow", "HostConfig.Runtime")
		add(len(h.DeviceCgroupRules) > 0, "HostConfig.DeviceCgroupRules")
		add(len(h.DeviceRequests) > 0, "HostConfig.DeviceRequests")
		add(h.CPURealtimePeriod != 0 || h.CPURealtimeRuntime != 0, "HostConfig.CpuRealtime*")
		add(h.MemorySwappiness != nil && *h.MemorySwappiness >= 0, "HostConfig.MemorySwappiness")
		add(h.OomKillDisable != nil && *h.OomKillDisable, "HostConfig.OomKillDisable")
		add(len(h.StorageOpt) > 0, "HostConfig.StorageOpt")
	}
	if len(what) > 0 {
		return fmt.Errorf("%w: burrow does not support %s yet", errdefs.ErrInvalidArgument, strings.Join(what, ", "))
	}
	return nil
}

// tmpfsMode: JSON clients send the mode's bits as a number (01777), Go
// clients os.FileMode's own flags (os.ModeSticky|0777); both mean 1777.
func tmpfsMode(m os.FileMode) uint32 {
	bits := uint32(m) & 0o7777
	for flag, bit := range map[os.FileMode]uint32{os.ModeSticky: 0o1000, os.ModeSetgid: 0o2000, os.ModeSetuid: 0o4000} {
		if m&flag != 0 {
			bits |= bit
		}
	}
	return bits
}
