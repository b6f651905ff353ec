package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// containerInspect has docker's field names and shapes (podman's
// ImageName beside them): scripts read .State.Status, .Config.Env,
// .HostConfig.PortBindings, .Mounts and .NetworkSettings.
type containerInspect struct {
	Id              string `json:"Id"` //nolint:revive // docker's template name
	Name            string `json:"Name"`
	Created         time.Time
	Path            string
	Args            []string
	Image           string
	ImageName       string
	RestartCount    int
	Driver          string
	State           inspectState
	Config          inspectConfig
	HostConfig      inspectHostConfig
	Mounts          []engine.MountPoint
	NetworkSettings struct {
		Ports             map[string][]portBinding
		IPAddress         string
		IPPrefixLen       int
		Gateway           string
		GlobalIPv6Address string
		MacAddress        string
		Networks          map[string]inspectEndpoint
	}
}

type inspectState struct {
	Status     string
	Running    bool
	Paused     bool
	Restarting bool
	OOMKilled  bool
	Dead       bool
	Pid        int
	ExitCode   int
	Error      string
	StartedAt  time.Time
	FinishedAt time.Time
	Health     *engine.HealthState `json:",omitempty"`
}

type inspectConfig struct {
	Hostname    string
	User        string
	Tty         bool
	OpenStdin   bool
	Env         []string
	Cmd         []string
	Image       string
	WorkingDir  string
	Labels      map[string]string
	Annotations map[string]string `json:",omitempty"`
	StopSignal  string            `json:",omitempty"`
	StopTimeout *int              `json:",omitempty"`
}

type inspectHostConfig struct {
	Binds         []string
	NetworkMode   string
	PortBindings  map[string][]portBinding
	RestartPolicy struct {
		Name              string
		MaximumRetryCount int
	}
	AutoRemove     bool
	ReadonlyRootfs bool
	PidMode        string
	IpcMode        string
	UTSMode        string
	CgroupnsMode   string
	UsernsMode     string
	LogConfig      struct {
		Type   string
		Config map[string]string
	}
	Memory      int64
	MemorySwap  int64
	NanoCpus    int64
	CpuShares   uint64 //nolint:revive // docker's spelling
	CpusetCpus  string //nolint:revive // docker's spelling
	PidsLimit   int64
	BlkioWeight uint16
	// podman's finer limits and placement, docker's names.
	CpuPeriod         uint64 //nolint:revive // docker's spelling
	CpuQuota          int64  //nolint:revive // docker's spelling
	CpusetMems        string
	MemoryReservation int64
	CgroupParent      string
	Cgroups           string // podman's: "default" or "disabled"
	// docker's per-device lists; null when none, as docker shows them.
	BlkioWeightDevice    []weightDevice
	BlkioDeviceReadBps   []throttleDevice
	BlkioDeviceWriteBps  []throttleDevice
	BlkioDeviceReadIOps  []throttleDevice //nolint:revive // docker's spelling
	BlkioDeviceWriteIOps []throttleDevice //nolint:revive // docker's spelling
}

type weightDevice struct {
	Path   string
	Weight uint64
}

type throttleDevice struct {
	Path string
	Rate uint64
}

func throttleDevices(list []engine.DeviceRate) []throttleDevice {
	var out []throttleDevice
	for _, d := range list {
		out = append(out, throttleDevice{Path: d.Path, Rate: d.Rate})
	}
	return out
}

type inspectEndpoint struct {
	IPAddress   string
	IPPrefixLen int
	Gateway     string
	MacAddress  string
}

// portBinding is docker's .NetworkSettings.Ports entry.
type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

func newContainerInspect(e *engine.Engine, c engine.Container) containerInspect {
	var info containerInspect
	rec := c.Record
	info.Id, info.Name, info.Created = c.ID, rec.Name, rec.Created
	if len(rec.Command) > 0 {
		info.Path, info.Args = rec.Command[0], rec.Command[1:]
	}
	info.Image, info.ImageName, info.RestartCount = "sha256:"+rec.ImageID, rec.ImageName, rec.RestartCount
	info.Driver = firstWord(e.Info().StorageDriver)
	info.State = inspectState{
		Status: c.Status(), Running: c.Running, Paused: c.Paused, Restarting: c.Status() == "restarting",
		OOMKilled: rec.OOMKilled, Pid: c.Pid, ExitCode: rec.ExitCode, StartedAt: rec.Started, FinishedAt: rec.Finished, Health: c.Health,
	}
	info.Config = inspectConfig{Image: rec.ImageName, Cmd: rec.Command, Labels: rec.Labels, StopSignal: rec.StopSignal, StopTimeout: rec.StopTimeout}
	if info.Config.Labels == nil {
		info.Config.Labels = map[string]string{}
	}
	info.HostConfig = newHostConfig(rec)
	info.Mounts = e.MountPoints(c)
	for _, m := range info.Mounts {
		src := m.Source
		if m.Type == "volume" {
			src = m.Name
		} else if m.Type != "bind" {
			continue
		}
		bind := src + ":" + m.Destination
		if m.Mode != "" {
			bind += ":" + m.Mode
		}
		info.HostConfig.Binds = append(info.HostConfig.Binds, bind)
	}
	if spec, err := e.Spec(c); err == nil {
		fromSpec(&info, spec)
	}
	info.NetworkSettings.Networks = map[string]inspectEndpoint{}
	// A container gone since it was listed has no addresses to show.
	if a, ok := e.Addresses(c); ok {
		setAddresses(&info, a)
	}
	info.NetworkSettings.Ports = info.HostConfig.PortBindings
	return info
}

func newHostConfig(rec engine.Record) inspectHostConfig {
	h := inspectHostConfig{
		NetworkMode: rec.Network, AutoRemove: rec.AutoRemove, Binds: []string{},
		PidMode: rec.Namespaces.PID, IpcMode: rec.Namespaces.IPC, UTSMode: rec.Namespaces.UTS, CgroupnsMode: rec.Namespaces.Cgroup,
		Memory: rec.Limits.Memory, MemorySwap: rec.Limits.MemorySwap, NanoCpus: int64(rec.Limits.CPUs * 1e9),
		CpuShares: rec.Limits.CPUShares, CpusetCpus: rec.Limits.CpusetCPUs, PidsLimit: rec.Limits.PidsLimit, BlkioWeight: rec.Limits.BlkioWeight,
		CpuPeriod: rec.Limits.CPUPeriod, CpuQuota: rec.Limits.CPUQuota, CpusetMems: rec.Limits.CpusetMems,
		MemoryReservation: rec.Limits.MemoryReservation, CgroupParent: rec.Limits.Parent, Cgroups: "default",
		PortBindings: map[string][]portBinding{},
	}
	if h.IpcMode == "" {
		h.IpcMode = "private"
	}
	if h.CgroupnsMode == "" {
		h.CgroupnsMode = "private"
	}
	if rec.Limits.Disabled {
		h.Cgroups = "disabled"
	}
	for _, d := range rec.Limits.BlkioWeightDevice {
		h.BlkioWeightDevice = append(h.BlkioWeightDevice, weightDevice{Path: d.Path, Weight: d.Rate})
	}
	h.BlkioDeviceReadBps, h.BlkioDeviceWriteBps = throttleDevices(rec.Limits.DeviceReadBps), throttleDevices(rec.Limits.DeviceWriteBps)
	h.BlkioDeviceReadIOps, h.BlkioDeviceWriteIOps = throttleDevices(rec.Limits.DeviceReadIOPS), throttleDevices(rec.Limits.DeviceWriteIOPS)
	name, retries, _ := strings.Cut(rec.RestartPolicy, ":")
	h.RestartPolicy.Name = name
	h.RestartPolicy.MaximumRetryCount, _ = strconv.Atoi(retries)
	h.LogConfig.Type, h.LogConfig.Config = "json-file", map[string]string{}
	if rec.LogDriver != "" {
		h.LogConfig.Type = rec.LogDriver
	}
	if rec.LogPath != "" {
		h.LogConfig.Config["path"] = rec.LogPath
	}
	if r := rec.LogRotation; r.MaxSize > 0 {
		h.LogConfig.Config["max-size"], h.LogConfig.Config["max-file"] = fmt.Sprint(r.MaxSize), fmt.Sprint(r.MaxFiles)
	}
	for _, p := range rec.Ports {
		key := fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		h.PortBindings[key] = append(h.PortBindings[key], portBinding{HostIP: ip, HostPort: fmt.Sprint(p.HostPort)})
	}
	return h
}

// fromSpec fills what only the runtime spec knows: the process as it
// runs, the root's mode and the user's bind mounts.
func fromSpec(info *containerInspect, spec *specs.Spec) {
	info.Config.Hostname, info.Config.Annotations = spec.Hostname, spec.Annotations
	if p := spec.Process; p != nil {
		info.Config.Env, info.Config.WorkingDir, info.Config.Tty = p.Env, p.Cwd, p.Terminal
		if p.User.UID != 0 || p.User.GID != 0 {
			info.Config.User = fmt.Sprintf("%d:%d", p.User.UID, p.User.GID)
		}
	}
	if spec.Root != nil {
		info.HostConfig.ReadonlyRootfs = spec.Root.Readonly
	}
}

func setAddresses(info *containerInspect, a engine.Addresses) {
	n := &info.NetworkSettings
	if a.IPv4 != nil {
		n.IPAddress, n.IPPrefixLen = a.IPv4.String(), a.PrefixLen
	}
	if a.Gateway != nil {
		n.Gateway = a.Gateway.String()
	}
	if a.IPv6 != nil {
		n.GlobalIPv6Address = a.IPv6.String()
	}
	if a.MAC != nil {
		n.MacAddress = a.MAC.String()
	}
	if n.IPAddress != "" {
		n.Networks[info.HostConfig.NetworkMode] = inspectEndpoint{IPAddress: n.IPAddress, IPPrefixLen: n.IPPrefixLen, Gateway: n.Gateway, MacAddress: n.MacAddress}
	}
}

// ID answers {{.ID}} as well as docker's {{.Id}}.
func (i containerInspect) ID() string { return i.Id }
