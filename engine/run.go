package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/inherit"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/monitor"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/network/backends"
	"github.com/burrow/burrow/ocispec"
	"github.com/burrow/burrow/store"
	"github.com/burrow/burrow/volume"
	"github.com/docker/go-units"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/storage"
)

// Types the front ends fill in or read.
type (
	Limits     = cgroupv2.Limits
	DeviceRate = cgroupv2.DeviceRate
	Port       = network.Port
	Addresses  = network.Addresses
)

// ParseDeviceRate reads DEVICE:RATE (--device-read-bps and the like).
func ParseDeviceRate(v string) (DeviceRate, error) { return cgroupv2.ParseDeviceRate(v) }

// ParseDeviceIOPS reads DEVICE:IOPS (--device-read-iops, --device-write-iops).
func ParseDeviceIOPS(v string) (DeviceRate, error) { return cgroupv2.ParseDeviceIOPS(v) }

// ParseDeviceWeight reads DEVICE:WEIGHT (--blkio-weight-device).
func ParseDeviceWeight(v string) (DeviceRate, error) { return cgroupv2.ParseDeviceWeight(v) }

// ParseCgroupConf reads FILE=VALUE (--cgroup-conf).
func ParseCgroupConf(v string) (cgroupv2.ConfSetting, error) { return cgroupv2.ParseConf(v) }

// ContainerOptions describe a container to create, as every front end
// gives them: values, not flags; the engine checks each and their
// combinations before anything exists.
type ContainerOptions struct {
	Image      string
	Command    []string // after the image name
	Entrypoint *string  // nil: the image's; "": none
	Name       string
	Env        []string // KEY=VALUE, already merged
	Workdir    string
	User       string
	Hostname   string
	Terminal   bool
	ReadOnly   bool
	// Network is a --network value; "" is the default (pasta where it
	// runs, else slirp4netns, else none with a warning).
	Network string
	Publish []string // -p values
	// NetworkAliases, IP and MacAddress apply on a user-defined network
	// (IP and MacAddress on the first one).
	NetworkAliases []string
	IP             string
	MacAddress     string
	Links          []string // --link CTR[:ALIAS], on a user-defined network
	PublishAll     bool
	Expose         []string          // --expose PORT[-PORT][/PROTO]: more ports for -P
	NoHosts        bool              // --no-hosts: the image's own /etc/hosts
	NoHostname     bool              // --no-hostname: the image's own /etc/hostname
	HostsFile      string            // --hosts-file: PATH, none or image, the base of /etc/hosts
	Domainname     string            // --domainname: the UTS NIS domain name
	EnvMerge       []string          // --env-merge KEY=VALUE with ${VAR} of the image's variables
	ImageVolume    string            // --image-volume: bind ("", anonymous volumes), tmpfs or ignore
	Requires       []string          // --requires: containers (NAME[,NAME]) started before this one
	UserEntries    UserEntries       // --passwd, --passwd-entry, --group-entry
	HostUsers      []string          // --hostuser: host accounts added to /etc/passwd
	Umask          string            // --umask, octal; "" is 0022
	Timeout        int               // --timeout: seconds before SIGKILL; 0 none
	Unsetenv       []string          // --unsetenv: drop these default variables
	UnsetAll       bool              // --unsetenv-all: drop every default variable
	Annotations    map[string]string // --annotation KEY=VALUE, in the runtime spec
	Volumes        []string          // -v [SOURCE:]CONTAINER[:OPTIONS], SOURCE a host path or volume name
	Mounts         []string          // --mount type=bind|volume|tmpfs,...
	VolumesFrom    []string          // --volumes-from CONTAINER[:ro|rw]
	Tmpfs          []string          // --tmpfs PATH[:OPTIONS]
	// ReadOnlyTmpfs, with ReadOnly, mounts tmpfs on /tmp, /var/tmp, /run.
	ReadOnlyTmpfs bool
	Labels        map[string]string
	Init          bool
	Restart       string   // no, always, unless-stopped, on-failure[:N]
	LogOptions    []string // max-size=SIZE, max-file=N, path=FILE
	LogDriver     string   // json-file (""), k8s-file, none, passthrough
	Limits        Limits
	DNS           []string
	DNSSearch     []string
	DNSOptions    []string
	AddHosts      []string
	// SecurityOptions are --security-opt values: seccomp=, no-new-privileges,
	// mask=, unmask=, label=.
	SecurityOptions []string
	CapAdd          []string
	CapDrop         []string
	Privileged      bool
	AutoRemove      bool
	Health          HealthOptions
	// Controls are devices, groups, sysctls, limits, shared namespaces
	// and the stop signal and timeout.
	Controls ControlOptions

	// OpenStdin keeps a detached container's stdin open for attach;
	// StdinOnce closes it after the first attach's EOF.
	OpenStdin, StdinOnce bool
}

// HealthOptions are the --health-* settings.
type HealthOptions = health.Options

// UserEntries are podman's --passwd (Skip is --passwd=false),
// --passwd-entry and --group-entry: lines for a --user the image lacks.
type UserEntries = lifecycle.UserEntries

// ControlOptions are --device, --group-add, --sysctl, --ulimit,
// --shm-size, --oom-score-adj, --pid, --ipc, --uts, --cgroupns,
// --stop-signal and --stop-timeout as values.
type ControlOptions = lifecycle.ControlFlags

// PullPolicy says when run and create pull their image.
type PullPolicy string

const (
	PullMissing PullPolicy = "missing"
	PullAlways  PullPolicy = "always"
	PullNever   PullPolicy = "never"
)

// RunOptions add what a run needs beyond the container.
type RunOptions struct {
	ContainerOptions
	Detach      bool
	Interactive bool // the container reads this process's stdin
	// Quiet names the streams a foreground run does not attach (-a
	// picks the others): "stdout", "stderr".
	Quiet map[string]bool
	// NoSigProxy keeps the signals burrow receives from the container
	// (--sig-proxy=false).
	NoSigProxy bool
	// PreserveFDs passes descriptors 3 .. 3+N-1 on (foreground runs),
	// PreserveFD these, each at its own number.
	PreserveFDs int
	// DetachKeys (ParseDetachKeys), typed in a foreground run with -i and
	// -t, leave the container running under a monitor; nil: none.
	DetachKeys []byte
	PreserveFD []int
	// CIDFile, if set, gets the container's ID once it exists; like
	// docker, burrow refuses a file that exists.
	CIDFile  string
	Pull     PullPolicy // "" is PullMissing
	Registry RegistryOptions
}

// CheckCreate refuses bad options for create before anything exists,
// without the store: front ends call it before they open the engine, so
// that bad input costs nothing. Create checks again.
func CheckCreate(o RunOptions) error {
	if err := checkCreateRules(o); err != nil {
		return err
	}
	_, err := prepare(o.ContainerOptions, nil)
	return err
}

// CheckRun is CheckCreate for a run.
func CheckRun(o RunOptions) error {
	if err := checkRunRules(o); err != nil {
		return err
	}
	_, err := prepare(o.ContainerOptions, nil)
	return err
}

// checkCreateRules: a created container is started later, by a monitor.
func checkCreateRules(o RunOptions) error {
	if o.PreserveFDs > 0 || len(o.PreserveFD) > 0 {
		return fmt.Errorf("%w: --preserve-fds needs a foreground run (the descriptors are this command's)", errdefs.ErrInvalidArgument)
	}
	return checkRunRules(RunOptions{Pull: o.Pull, CIDFile: o.CIDFile})
}

func checkRunRules(o RunOptions) error {
	switch o.Pull {
	case "", PullMissing, PullAlways, PullNever:
	default:
		return fmt.Errorf("%w: --pull %q (want missing, always or never)", errdefs.ErrInvalidArgument, o.Pull)
	}
	if o.Restart != "" && o.Restart != "no" && !o.Detach {
		return fmt.Errorf("%w: --restart applies to detached containers: add -d", errdefs.ErrInvalidArgument)
	}
	if err := checkCIDFile(o.CIDFile); err != nil {
		return err
	}
	if o.Health.OnFailure == "restart" && !o.Detach {
		return fmt.Errorf("%w: --health-on-failure restart needs -d (the monitor of a detached container restarts it)", errdefs.ErrInvalidArgument)
	}
	if o.Health.StartupRetries > 0 && !o.Detach {
		return fmt.Errorf("%w: --health-startup-retries restarts the container: needs -d (the monitor of a detached container restarts it)", errdefs.ErrInvalidArgument)
	}
	if (o.PreserveFDs > 0 || len(o.PreserveFD) > 0) && o.Detach {
		return fmt.Errorf("%w: --preserve-fds needs a foreground run (the descriptors are this command's)", errdefs.ErrInvalidArgument)
	}
	return nil
}

// prepare turns options into what lifecycle creates, checking each
// value and the rules between them. With a nil warn it stays silent about
// the default network (the check before Open; create warns).
func prepare(o ContainerOptions, warn func(string)) (lifecycle.CreateOpt, error) {
	var c lifecycle.CreateOpt
	if o.Image == "" {
		return c, fmt.Errorf("%w: no image given", errdefs.ErrInvalidArgument)
	}
	if o.Name != "" {
		if err := lifecycle.CheckName(o.Name); err != nil {
			return c, err
		}
	}
	for _, d := range o.DNS {
		if net.ParseIP(d) == nil {
			return c, fmt.Errorf("%w: --dns %q is not an IP address", errdefs.ErrInvalidArgument, d)
		}
	}
	mode, ports, err := networkMode(o.Network, o.Publish, o.PublishAll, warn)
	if err != nil {
		return c, err
	}
	if err := checkNetworkFlags(mode, o); err != nil {
		return c, err
	}
	mounts, err := parseMounts(o)
	if err != nil {
		return c, err
	}
	dsts := make([]string, len(mounts))
	for i, m := range mounts {
		dsts[i] = m.Destination
	}
	if err := ocispec.CheckDestinations(dsts); err != nil {
		return c, err
	}
	var logOpts []string
	for _, v := range o.LogOptions {
		if p, ok := strings.CutPrefix(v, "path="); ok {
			if !filepath.IsAbs(p) {
				return c, fmt.Errorf("%w: --log-opt %s: want an absolute path", errdefs.ErrInvalidArgument, v)
			}
			c.LogPath = filepath.Clean(p)
			continue
		}
		logOpts = append(logOpts, v)
	}
	if o.Umask != "" {
		m, err := strconv.ParseUint(o.Umask, 8, 32)
		if err != nil || m > 0o777 {
			return c, fmt.Errorf("%w: --umask %q: want an octal mask up to 0777", errdefs.ErrInvalidArgument, o.Umask)
		}
		u := uint32(m)
		c.Umask = &u
	}
	rotation, err := parseLogOptions(logOpts)
	if err != nil {
		return c, err
	}
	switch o.LogDriver {
	case "", "json-file", "k8s-file":
	case "none", "passthrough":
		if c.LogPath != "" || len(logOpts) > 0 {
			return c, fmt.Errorf("%w: --log-opt: the %s log driver writes no file", errdefs.ErrInvalidArgument, o.LogDriver)
		}
		c.LogDriver = o.LogDriver
	default:
		return c, fmt.Errorf("%w: --log-driver %s: want json-file, k8s-file, none or passthrough", errdefs.ErrInvalidArgument, o.LogDriver)
	}
	restart := o.Restart
	if restart == "" {
		restart = "no"
	}
	policy, err := monitor.ParseRestartPolicy(restart)
	if err != nil {
		return c, err
	}
	if policy.Name != "no" && o.AutoRemove {
		return c, fmt.Errorf("%w: --restart %s and --rm conflict", errdefs.ErrInvalidArgument, policy.Name)
	}
	seccomp, security, err := parseSecurityOptions(o.SecurityOptions)
	if err != nil {
		return c, err
	}
	security.CapAdd, security.CapDrop, security.Privileged = o.CapAdd, o.CapDrop, o.Privileged
	if _, err := ocispec.BoundingSet(security); err != nil {
		return c, err
	}
	if err := checkLimits(o.Limits); err != nil {
		return c, err
	}
	if err := checkEtc(o); err != nil {
		return c, err
	}
	controls, warnings, err := lifecycle.Controls(o.Controls, mode, o.Hostname)
	if err != nil {
		return c, err
	}
	for _, w := range warnings {
		if warn != nil {
			warn(w)
		}
	}
	if _, err := health.Resolve(o.Health, nil); err != nil {
		return c, err
	}
	expose, err := checkHostsAndExpose(o)
	if err != nil {
		return c, err
	}
	return lifecycle.CreateOpt{
		Expose: expose, NoHosts: o.NoHosts, HostUsers: o.HostUsers, NoHostname: o.NoHostname, HostsFile: o.HostsFile, Domainname: o.Domainname, EnvMerge: o.EnvMerge, UserEntries: o.UserEntries, Unsetenv: o.Unsetenv, UnsetAll: o.UnsetAll, Annotations: o.Annotations,
		Image: o.Image, Name: o.Name, Args: o.Command, Entrypoint: o.Entrypoint,
		Env: o.Env, Workdir: o.Workdir, User: o.User, Hostname: o.Hostname, Terminal: o.Terminal,
		OpenStdin: o.OpenStdin, StdinOnce: o.StdinOnce,
		ReadOnly: o.ReadOnly, Network: mode, VolumeMounts: mounts, AutoRemove: o.AutoRemove, Labels: o.Labels,
		Init: o.Init, Restart: restart, Log: rotation, LogDriver: c.LogDriver, LogPath: c.LogPath, Umask: c.Umask, Timeout: o.Timeout, Limits: o.Limits, Ports: ports, PublishAll: o.PublishAll,
		DNS: o.DNS, DNSSearch: o.DNSSearch, DNSOptions: o.DNSOptions, AddHosts: o.AddHosts,
		Seccomp: seccomp, Security: security, Health: o.Health,
		Controls: controls, StopSignal: o.Controls.StopSignal, StopTimeout: o.Controls.StopTimeout,
	}, nil
}

// checkEtc: the /etc files and names a container gets.
func checkEtc(o ContainerOptions) error {
	switch {
	case o.NoHosts && o.HostsFile != "":
		return fmt.Errorf("%w: --no-hosts and --hosts-file conflict", errdefs.ErrInvalidArgument)
	case o.HostsFile != "" && o.HostsFile != "none" && o.HostsFile != "image" && !filepath.IsAbs(o.HostsFile):
		return fmt.Errorf("%w: --hosts-file %s: want an absolute path, none or image", errdefs.ErrInvalidArgument, o.HostsFile)
	case o.Domainname != "" && o.Controls.UTS != "":
		return fmt.Errorf("%w: --domainname needs the container's own UTS namespace, not --uts %s", errdefs.ErrInvalidArgument, o.Controls.UTS)
	case len(o.Domainname) > 64:
		return fmt.Errorf("%w: --domainname: at most 64 bytes", errdefs.ErrInvalidArgument)
	}
	if o.HostsFile != "" && filepath.IsAbs(o.HostsFile) {
		if _, err := os.Stat(o.HostsFile); err != nil {
			return fmt.Errorf("%w: --hosts-file: %v", errdefs.ErrInvalidArgument, err)
		}
	}
	switch o.ImageVolume {
	case "", "bind", "tmpfs", "ignore":
	default:
		return fmt.Errorf("%w: --image-volume %s: want bind, tmpfs or ignore", errdefs.ErrInvalidArgument, o.ImageVolume)
	}
	for _, kv := range o.EnvMerge {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("%w: --env-merge %q: want KEY=VALUE", errdefs.ErrInvalidArgument, kv)
		}
	}
	return nil
}

// checkLimits holds the rules between resource values that no single
// value shows.
func checkLimits(l Limits) error {
	bad := func(flag string, err error) error {
		return fmt.Errorf("%w: --%s: %v", errdefs.ErrInvalidArgument, flag, err)
	}
	switch {
	case l.Memory != 0 && l.Memory < 6<<20:
		return bad("memory", fmt.Errorf("%d bytes: want at least 6m", l.Memory))
	case l.MemorySwap > 0 && l.Memory == 0:
		return bad("memory-swap", errors.New("needs --memory"))
	case l.CPUs < 0:
		return bad("cpus", errors.New("must be positive"))
	case l.CPUShares != 0 && (l.CPUShares < 2 || l.CPUShares > 262144):
		return bad("cpu-shares", fmt.Errorf("%d is outside 2..262144", l.CPUShares))
	case l.BlkioWeight != 0 && (l.BlkioWeight < 10 || l.BlkioWeight > 1000):
		return bad("blkio-weight", fmt.Errorf("%d is outside 10..1000", l.BlkioWeight))
	case l.CPUs != 0 && (l.CPUPeriod != 0 || l.CPUQuota != 0):
		return bad("cpus", errors.New("sets the period and quota itself: not with --cpu-period or --cpu-quota"))
	case l.CPUPeriod != 0 && (l.CPUPeriod < 1000 || l.CPUPeriod > 1000000):
		return bad("cpu-period", fmt.Errorf("%d µs is outside 1000..1000000", l.CPUPeriod))
	case l.CPUQuota != 0 && l.CPUQuota != -1 && l.CPUQuota < 1000:
		return bad("cpu-quota", fmt.Errorf("%d µs: want at least 1000 (or -1 for none)", l.CPUQuota))
	case l.MemoryReservation < 0 || l.Memory != 0 && l.MemoryReservation > l.Memory:
		return bad("memory-reservation", errors.New("the soft limit must be below --memory"))
	case l.Disabled && (!l.Empty() || l.Parent != ""):
		return bad("cgroups", errors.New("disabled: the container gets no cgroup, so no limit, --cgroup-conf or --cgroup-parent"))
	}
	if err := checkDevices(l); err != nil {
		return err
	}
	_, err := cgroupv2.CleanParent(l.Parent, "")
	return err
}

// checkDevices holds the per-device rules of the flags' parsers for the
// front ends that give values, not flags (the API).
func checkDevices(l Limits) error {
	for _, d := range l.BlkioWeightDevice {
		if d.Rate < 10 || d.Rate > 1000 {
			return fmt.Errorf("%w: --blkio-weight-device %s:%d: the weight is 10..1000", errdefs.ErrInvalidArgument, d.Path, d.Rate)
		}
	}
	for flag, list := range map[string][]DeviceRate{"device-read-iops": l.DeviceReadIOPS, "device-write-iops": l.DeviceWriteIOPS} {
		for _, d := range list {
			if d.Rate == 0 {
				return fmt.Errorf("%w: --%s %s:0: IOPS is a positive number", errdefs.ErrInvalidArgument, flag, d.Path)
			}
		}
	}
	return nil
}

// networkMode parses --network (the default when it is not given) and
// checks it with -p before anything is created: the helper is installed,
// and every host port can be bound.
func networkMode(value string, publish []string, publishAll bool, warn func(string)) (network.Mode, []network.Port, error) {
	var m network.Mode
	if value == "" {
		var why string
		if m, why = backends.Default(); why != "" && warn != nil {
			warn("the container gets loopback only: " + why + " (--network none silences this)")
		}
	} else {
		var err error
		if m, err = network.Parse(value); err != nil {
			return m, nil, err
		}
	}
	ports, err := network.ParsePorts(publish)
	if err != nil {
		return m, nil, err
	}
	if publishAll && !m.OwnNamespace() {
		return m, nil, fmt.Errorf("%w: -P needs a network of the container's own (not %s)", errdefs.ErrInvalidArgument, m)
	}
	b, err := backends.For(m)
	if err != nil {
		return m, nil, err
	}
	return m, ports, b.Check(m, ports)
}

// parseLogOptions reads max-size=10m and max-file=3 (docker's json-file
// options; max-file needs max-size).
func parseLogOptions(values []string) (logfile.Rotation, error) {
	var r logfile.Rotation
	for _, v := range values {
		key, val, _ := strings.Cut(v, "=")
		var err error
		switch key {
		case "max-size":
			r.MaxSize, err = units.RAMInBytes(val)
		case "max-file":
			r.MaxFiles, err = strconv.Atoi(val)
		default:
			err = fmt.Errorf("unknown option (want max-size or max-file)")
		}
		if err != nil || r.MaxSize < 0 || r.MaxFiles < 0 {
			return r, fmt.Errorf("%w: --log-opt %s: %v", errdefs.ErrInvalidArgument, v, err)
		}
	}
	if r.MaxFiles > 0 && r.MaxSize == 0 {
		return r, fmt.Errorf("%w: --log-opt max-file needs max-size", errdefs.ErrInvalidArgument)
	}
	if r.MaxSize > 0 && r.MaxFiles == 0 {
		r.MaxFiles = 1
	}
	return r, nil
}

// parseSecurityOptions takes --security-opt: seccomp=unconfined|PROFILE.json,
// no-new-privileges[=true|false], mask=/p:/q, unmask=ALL|/p:/q, and label=
// (nothing to do where SELinux is off). Others are refused by name.
func parseSecurityOptions(opts []string) (string, ocispec.Security, error) {
	profile, sec := "", ocispec.Security{}
	for _, o := range opts {
		k, v, hasValue := strings.Cut(o, "=")
		var err error
		switch {
		case k == "seccomp" && v != "":
			profile = v
		case k == "no-new-privileges":
			sec.NewPrivileges, err = hasValue && v == "false", boolValue(v, hasValue)
		case k == "mask" && v != "":
			sec.Mask = append(sec.Mask, strings.Split(v, ":")...)
		case k == "unmask" && v != "":
			sec.Unmask = append(sec.Unmask, strings.Split(v, ":")...)
		case k == "label" && v != "":
			var l string
			l, err = ocispec.ParseLabel(v)
			sec.Label = append(sec.Label, l)
		default:
			err = errors.New("not supported (seccomp=, no-new-privileges, mask=, unmask=, label= are)")
		}
		if err != nil {
			return "", sec, fmt.Errorf("%w: --security-opt %q: %v", errdefs.ErrInvalidArgument, o, err)
		}
	}
	return profile, sec, nil
}

func boolValue(v string, hasValue bool) error {
	if hasValue && v != "true" && v != "false" {
		return errors.New("want true or false")
	}
	return nil
}

// ensureImage pulls the image as the policy says.
func (e *Engine) ensureImage(ctx context.Context, ref string, policy PullPolicy, reg RegistryOptions) error {
	switch policy {
	case PullNever, "", PullMissing:
		img, err := store.FindImage(e.store, ref)
		if errors.Is(err, errdefs.ErrImageUnknown) && policy != PullNever {
			break
		}
		if err != nil || reg.Platform == "" {
			return err
		}
		// A stored image of another platform is not the one asked for.
		have, err := e.imagePlatform(img)
		if err != nil || platformMatches(have, reg.Platform) {
			return err
		}
		if policy == PullNever {
			return fmt.Errorf("%w: %s in the store is %s, not %s (--pull=never)", errdefs.ErrInvalidArgument, ref, have, reg.Platform)
		}
	}
	_, err := e.Pull(ctx, ref, reg)
	return err
}

// imagePlatform is an image's os/arch[/variant] from its config.
func (e *Engine) imagePlatform(img *storage.Image) (string, error) {
	var cfg imgspecv1.Image
	if err := store.ConfigInto(e.store, img, &cfg); err != nil {
		return "", err
	}
	p := cfg.OS + "/" + cfg.Architecture
	if cfg.Variant != "" {
		p += "/" + cfg.Variant
	}
	return p, nil
}

// archAliases are the names people write for Go's (image configs use
// Go's).
var archAliases = map[string]string{"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "i386": "386", "i686": "386", "armhf": "arm", "armel": "arm"}

// platformMatches says whether an image of platform have serves want
// (os/arch[/variant]; a want without variant takes any).
func platformMatches(have, want string) bool {
	h, w := strings.Split(have, "/"), strings.Split(strings.ToLower(want), "/")
	if len(w) >= 2 && archAliases[w[1]] != "" {
		w[1] = archAliases[w[1]]
	}
	if len(h) < 2 || len(w) < 2 || h[0] != w[0] || h[1] != w[1] {
		return false
	}
	return len(w) < 3 || (len(h) >= 3 && h[2] == w[2])
}

// Create makes a container without starting it and returns its ID.
func (e *Engine) Create(ctx context.Context, o RunOptions) (string, error) {
	opt, err := prepare(o.ContainerOptions, e.warn)
	if err != nil {
		return "", err
	}
	if err := checkCreateRules(o); err != nil {
		return "", err
	}
	if err := e.resolveNetworks(&opt, o.ContainerOptions); err != nil {
		return "", err
	}
	if opt.Requires, err = e.requiredIDs(o.Requires); err != nil {
		return "", err
	}
	if err := e.ensureImage(ctx, o.Image, o.Pull, o.Registry); err != nil {
		return "", err
	}
	done, err := e.withMounts(&opt, o.ContainerOptions)
	if err != nil {
		return "", err
	}
	id, err := lifecycle.Create(e.store, e.paths.RunRoot, opt)
	done(id != "")
	if err != nil {
		return "", err
	}
	return id, writeCIDFile(o.CIDFile, id)
}

func checkCIDFile(path string) error {
	if path == "" {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%w: --cidfile %s exists: remove it or pick another", errdefs.ErrInvalidArgument, path)
	}
	return nil
}

func writeCIDFile(path, id string) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("--cidfile: %w", err)
	}
	_, err = f.WriteString(id)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Run creates a container and runs it: detached, it returns the ID once
// the command runs; in the foreground, with this process's stdio or
// terminal, it returns the command's exit code when it ends.
func (e *Engine) Run(ctx context.Context, o RunOptions) (id string, code int, err error) {
	if err := checkRunRules(o); err != nil {
		return "", 0, err
	}
	opt, err := prepare(o.ContainerOptions, e.warn)
	if err != nil {
		return "", 0, err
	}
	if err := e.resolveNetworks(&opt, o.ContainerOptions); err != nil {
		return "", 0, err
	}
	if opt.Requires, err = e.startRequired(o.Requires, 0); err != nil {
		return "", 0, err
	}
	if err := e.ensureImage(ctx, o.Image, o.Pull, o.Registry); err != nil {
		return "", 0, err
	}
	done, err := e.withMounts(&opt, o.ContainerOptions)
	if err != nil {
		return "", 0, err
	}
	if o.Detach {
		opt.Created = func(string) { done(true) }
		id, err := lifecycle.RunDetached(e.store, e.paths.RunRoot, opt)
		done(id != "")
		if err == nil {
			err = writeCIDFile(o.CIDFile, id)
		}
		return id, 0, err
	}
	run := lifecycle.RunOpt{CreateOpt: opt, Interactive: o.Interactive, NoStdout: o.Quiet["stdout"], NoStderr: o.Quiet["stderr"],
		NoSigProxy: o.NoSigProxy, DetachKeys: o.DetachKeys}
	if run.Preserve, err = inherit.Files(o.PreserveFDs, o.PreserveFD); err != nil {
		done(false)
		return "", 0, fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
	}
	run.OnCreated = func(created string) error {
		id = created
		done(true)
		e.layersWritten()
		return writeCIDFile(o.CIDFile, created)
	}
	if run.Attachable() {
		_, code, err = lifecycle.RunAttached(e.store, e.paths.RunRoot, run)
	} else {
		code, err = lifecycle.Run(e.store, e.paths.RunRoot, run)
	}
	if id == "" {
		done(false)
	}
	return id, code, err
}

// withMounts resolves the container's mounts, its volumes under the
// volume lock, and returns what ends it: done(true) once the container
// exists (its record now names its volumes), done(false) when it never
// will, which removes the volumes this command created for it. Only the
// first call counts. A container without volumes takes no lock.
func (e *Engine) withMounts(opt *lifecycle.CreateOpt, o ContainerOptions) (func(created bool), error) {
	mounts, err := e.collectMounts(opt, o)
	if err != nil {
		return nil, err
	}
	plan := &mountPlan{e: e}
	if !slices.ContainsFunc(mounts, func(m volume.Mount) bool { return m.Kind == volume.KindVolume }) {
		return func(bool) {}, plan.resolve(opt, mounts)
	}
	if plan.vs, err = lifecycle.Volumes(e.store); err != nil {
		return nil, err
	}
	unlock, err := plan.vs.Lock()
	if err != nil {
		return nil, err
	}
	var once sync.Once
	done := func(created bool) {
		once.Do(func() {
			if !created {
				plan.undo()
			}
			unlock()
			if created {
				for _, v := range opt.Volumes {
					e.volumeEvent("mount", v)
				}
			}
		})
	}
	if err := plan.resolve(opt, mounts); err != nil {
		done(false)
		return nil, err
	}
	return done, nil
}

// checkHostsAndExpose holds --no-hosts against --add-host and reads
// --expose.
func checkHostsAndExpose(o ContainerOptions) ([]string, error) {
	if o.NoHosts && len(o.AddHosts) > 0 {
		return nil, fmt.Errorf("%w: --no-hosts and --add-host exclude each other", errdefs.ErrInvalidArgument)
	}
	return parseExpose(o.Expose)
}

// parseExpose reads --expose values (80, 53/udp, 8000-8002/tcp) into the
// image config's "PORT/PROTO" keys.
func parseExpose(values []string) ([]string, error) {
	var out []string
	for _, v := range values {
		ports, proto, _ := strings.Cut(v, "/")
		if proto == "" {
			proto = "tcp"
		}
		first, last, isRange := strings.Cut(ports, "-")
		lo, err1 := strconv.ParseUint(first, 10, 16)
		hi, err2 := lo, error(nil)
		if isRange {
			hi, err2 = strconv.ParseUint(last, 10, 16)
		}
		if err1 != nil || err2 != nil || lo == 0 || hi < lo || proto != "tcp" && proto != "udp" {
			return nil, fmt.Errorf("%w: --expose %q: want PORT[-PORT][/tcp|udp]", errdefs.ErrInvalidArgument, v)
		}
		for p := lo; p <= hi; p++ {
			out = append(out, fmt.Sprintf("%d/%s", p, proto))
		}
	}
	return out, nil
}
