package lifecycle

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/burrow/burrow/netconf"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/network/backends"
	"github.com/burrow/burrow/seccomp"
	"github.com/burrow/burrow/volume"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/ocispec"
	"github.com/burrow/burrow/store"
	"github.com/burrow/burrow/userns"
	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux/label"
	"go.podman.io/storage"
)

// CreateOpt is a container's configuration as the user gave it.
type CreateOpt struct {
	Image      string
	Name       string
	Args       []string
	Entrypoint *string
	Env        []string
	Workdir    string
	User       string
	Hostname   string
	Terminal   bool
	ReadOnly   bool
	Network    network.Mode
	Mounts     []specs.Mount
	AutoRemove bool
	Labels     map[string]string
	Init       bool
	Restart    string // --restart, applied by the monitor of a detached container
	Log        logfile.Rotation
	// LogDriver is none or passthrough ("": the json-file log, at LogPath
	// when set, else in the container's directory).
	LogDriver, LogPath string
	Limits             cgroupv2.Limits
	Ports              []network.Port
	Networks           []netconf.Attach  // --network NAME: the user-defined networks, resolved
	PublishAll         bool              // -P: every EXPOSEd port on a free host port
	Expose             []string          // --expose: "PORT/PROTO" beside the image's
	NoHosts            bool              // --no-hosts: no generated /etc/hosts
	NoHostname         bool              // --no-hostname: no generated /etc/hostname
	HostsFile          string            // --hosts-file: PATH, none or image: the base of /etc/hosts
	Domainname         string            // --domainname
	EnvMerge           []string          // --env-merge KEY=VALUE over the image's variables
	Requires           []string          // --requires, resolved to IDs
	UserEntries        UserEntries       // --passwd, --passwd-entry, --group-entry
	HostUsers          []string          // --hostuser: host accounts added to /etc/passwd
	Umask              *uint32           // --umask; nil is 0022
	Timeout            int               // --timeout: seconds before SIGKILL
	Unsetenv           []string          // --unsetenv
	UnsetAll           bool              // --unsetenv-all
	Annotations        map[string]string // --annotation
	DNS                []string
	DNSSearch          []string
	DNSOptions         []string
	AddHosts           []string // NAME:IP, IP may be host-gateway
	Seccomp            string   // --security-opt seccomp=: "" docker's default, "unconfined" or a profile file
	Security           ocispec.Security
	Health             health.Options // over the image's HEALTHCHECK

	// Devices, groups, sysctls, limits and shared namespaces (see Controls).
	Controls    ocispec.Controls
	StopSignal  string // --stop-signal; "" is the image's STOPSIGNAL, else SIGTERM
	StopTimeout *int   // --stop-timeout in seconds; nil is stop's own default

	// Volumes and VolumeMounts go into the record (see Record); Mounts
	// above already hold what they mount.
	Volumes      []string
	VolumeMounts []volume.Mount
	// PrepareMounts, if set, runs once the root is mounted and the spec
	// built: copy-up into empty volumes, :U, :O. It may change spec.Mounts.
	PrepareMounts func(id, rootfs string, spec *specs.Spec) error
	// Created, if set, runs once a detached container's record exists,
	// before its tmpfs volumes are mounted and it starts: the engine's
	// hold of the volume lock for its creation ends there.
	Created func(id string)

	// OpenStdin keeps a detached container's stdin open for attach;
	// StdinOnce closes it after the first attach's EOF (docker's fields).
	OpenStdin, StdinOnce bool

	netnsPath string // resolved from Network container:NAME
}

// created is a container with its root mounted, ready to start.
type created struct {
	ID     string
	Record Record
	Spec   *specs.Spec
}

func create(s storage.Store, runRoot string, opt CreateOpt) (c *created, err error) {
	img, err := store.FindImage(s, opt.Image)
	if err != nil {
		return nil, err
	}
	if opt.netnsPath, err = sharedNetns(s, runRoot, opt.Network); err != nil {
		return nil, err
	}
	if err := joinNamespaces(s, runRoot, &opt.Controls); err != nil {
		return nil, err
	}
	cfg, imageHealth, err := store.ConfigAndHealth(s, img)
	if err != nil {
		return nil, err
	}
	if opt.PublishAll {
		extra, err := network.PublishExposed(withExposed(cfg.Config.ExposedPorts, opt.Expose), opt.Ports)
		if err != nil {
			return nil, err
		}
		opt.Ports = append(opt.Ports, extra...)
	}
	hc, err := health.Resolve(opt.Health, imageHealth)
	if err != nil {
		return nil, err
	}
	rec := Record{Name: opt.Name, ImageID: img.ID, ImageName: opt.Image, Created: time.Now().UTC(),
		AutoRemove: opt.AutoRemove, StopSignal: cfg.Config.StopSignal, Labels: opt.Labels,
		RestartPolicy: opt.Restart, LogRotation: opt.Log, LogDriver: opt.LogDriver, LogPath: opt.LogPath, Timeout: opt.Timeout, Limits: opt.Limits, OpenStdin: opt.OpenStdin, StdinOnce: opt.StdinOnce, Terminal: opt.Terminal,
		Network: opt.Network.String(), Ports: opt.Ports, Requires: opt.Requires, Networks: opt.Networks, Health: hc, StopTimeout: opt.StopTimeout,
		Namespaces: NamespaceModes{PID: opt.Controls.PID, IPC: opt.Controls.IPC, UTS: opt.Controls.UTS, Cgroup: opt.Controls.Cgroupns},
		Volumes:    opt.Volumes, Mounts: opt.VolumeMounts}
	if opt.Controls.IPC == ocispec.NSShareable {
		rec.Namespaces.ShmSize = opt.Controls.ShmSize
	}
	if opt.StopSignal != "" {
		rec.StopSignal = opt.StopSignal
	}
	if rec.Name == "" {
		rec.Name = GenerateName()
	}
	opt.Name = rec.Name // for /etc/hosts
	if rec.Command, err = ocispec.Command(cfg.Config, opt.Entrypoint, opt.Args); err != nil {
		return nil, err
	}
	meta, err := rec.encode()
	if err != nil {
		return nil, err
	}
	ctr, err := s.CreateContainer("", []string{rec.Name}, img.ID, "", meta, nil)
	if errors.Is(err, storage.ErrDuplicateName) {
		return nil, fmt.Errorf("the container name %q: %w", rec.Name, errdefs.ErrNameInUse)
	}
	if err != nil {
		return nil, fmt.Errorf("create container from %s: %w", opt.Image, err)
	}
	defer func() {
		if err != nil {
			_ = release(s, ctr.ID, true)
			_ = ctrstate.Remove(runRoot, ctr.ID)
		}
	}()
	// Record the owner before mounting: a crash from here on is reaped.
	if err := ownState(runRoot, ctr.ID, opt.AutoRemove); err != nil {
		return nil, err
	}
	procLabel, mountLabel, err := selinuxLabels(opt.Security.Label)
	if err != nil {
		return nil, err
	}
	rootfs, err := s.Mount(ctr.ID, mountLabel)
	if err != nil {
		return nil, fmt.Errorf("mount root of %s: %w", rec.Name, err)
	}
	if err := makeShmDir(s, ctr.ID, &opt.Controls); err != nil {
		return nil, err
	}
	spec, err := buildSpec(s, ctr.ID, rootfs, cfg, opt)
	if err != nil {
		return nil, err
	}
	// podman's default, not burrow's caller's umask.
	umask := uint32(0o022)
	if opt.Umask != nil {
		umask = *opt.Umask
	}
	spec.Process.User.Umask = &umask
	spec.Process.SelinuxLabel = procLabel
	ocispec.WithMountLabel(spec, mountLabel)
	if opt.PrepareMounts != nil {
		if err := opt.PrepareMounts(ctr.ID, rootfs, spec); err != nil {
			return nil, err
		}
	}
	profile := opt.Seccomp
	if opt.Security.Privileged && profile == "" {
		profile = seccomp.Unconfined
	}
	if err := applySeccomp(spec, profile, runRoot); err != nil {
		return nil, err
	}
	if spec.Linux.CgroupsPath, err = containerCgroup(ctr.ID, opt.Limits); err != nil {
		return nil, err
	}
	if opt.Security.Privileged {
		spec.Linux.Devices = append(spec.Linux.Devices, privilegedDevices(spec.Linux.Devices)...)
	}
	if spec.Linux.CgroupsPath != "" {
		ocispec.WithCgroupMount(spec, opt.Security.Privileged, opt.Controls.Cgroupns == ocispec.NSHost)
	}
	if opt.Controls.KeepGroups {
		if spec.Annotations == nil {
			spec.Annotations = map[string]string{}
		}
		spec.Annotations[container.KeepGroupsAnnotation] = "true"
	}
	if err := saveSpec(s, ctr.ID, spec); err != nil {
		return nil, err
	}
	return &created{ID: ctr.ID, Record: rec, Spec: spec}, nil
}

// selinuxLabels are the SELinux process and mount labels from
// --security-opt label= through github.com/opencontainers/selinux. Where
// SELinux is off (no selinuxfs) they are empty, and the library is not
// asked, which would read mountinfo on every run to find out.
func selinuxLabels(opts []string) (proc, mount string, err error) {
	if _, err := os.Stat("/sys/fs/selinux/enforce"); err != nil {
		return "", "", nil
	}
	proc, mount, err = label.InitLabels(opts)
	if err != nil {
		return "", "", fmt.Errorf("%w: --security-opt label: %v", errdefs.ErrInvalidArgument, err)
	}
	return proc, mount, nil
}

// applySeccomp puts the compiled filter where the init finds it.
func applySeccomp(spec *specs.Spec, profile, runRoot string) error {
	prog, err := seccomp.Program(spec, profile, filepath.Join(runRoot, "seccomp"))
	if err != nil || prog == nil {
		return err
	}
	if spec.Annotations == nil {
		spec.Annotations = map[string]string{}
	}
	spec.Annotations[container.SeccompAnnotation] = base64.StdEncoding.EncodeToString(prog)
	return nil
}

func buildSpec(s storage.Store, id, rootfs string, cfg imgspecv1.Image, opt CreateOpt) (*specs.Spec, error) {
	runDir, err := s.ContainerRunDirectory(id)
	if err != nil {
		return nil, fmt.Errorf("run directory of %s: %w", id, err)
	}
	passwd, err := withHostUsers(rootfs, runDir, opt.HostUsers)
	if err != nil {
		return nil, err
	}
	userSpec := opt.User
	if userSpec == "" {
		userSpec = cfg.Config.User
	}
	u, err := resolveUser(rootfs, userSpec, passwd)
	if err != nil {
		return nil, err
	}
	hostname, err := containerHostname(s, id, opt)
	if err != nil {
		return nil, err
	}
	backend, err := backends.For(opt.Network)
	if err != nil {
		return nil, err
	}
	hostsBase, err := hostsBase(rootfs, opt.HostsFile)
	if err != nil {
		return nil, err
	}
	etc, err := writeEtcFiles(runDir, etcOpt{Hostname: hostname, Name: opt.Name, Network: opt.Network, Backend: backend,
		DNS: opt.DNS, DNSSearch: opt.DNSSearch, DNSOptions: opt.DNSOptions, AddHosts: opt.AddHosts,
		Nameservers: nameservers(opt.Networks), HostsBase: hostsBase})
	if err != nil {
		return nil, err
	}
	if opt.NoHosts {
		delete(etc, "/etc/hosts") // the image's own stays visible
	}
	if opt.NoHostname {
		delete(etc, "/etc/hostname")
	}
	if passwd != "" {
		etc["/etc/passwd"] = passwd
	}
	if opt.User != "" {
		// Only a --user can be one the image does not list (the image's
		// own USER is its author's business).
		files, err := userFiles(rootfs, runDir, u, opt.UserEntries, passwd)
		if err != nil {
			return nil, err
		}
		maps.Copy(etc, files)
	}
	env := opt.Env
	if u.Home != "" && !opt.UnsetAll && !slices.Contains(opt.Unsetenv, "HOME") {
		env = ocispec.MergeEnv([]string{"HOME=" + u.Home}, env)
	}
	groups, err := supplementaryGroups(rootfs, u.Sgids, opt.Controls.GroupAdd)
	if err != nil {
		return nil, err
	}
	return ocispec.Build(ocispec.Opt{
		Image: cfg.Config, Rootfs: rootfs, Args: opt.Args, Entrypoint: opt.Entrypoint,
		Env: env, Workdir: opt.Workdir, UID: uint32(u.Uid), GID: uint32(u.Gid), Groups: groups,
		Hostname: hostname, Terminal: opt.Terminal, ReadOnly: opt.ReadOnly, HostNetwork: opt.Network.Kind == network.Host,
		Mounts: opt.Mounts, EtcFiles: etc, Init: opt.Init, NetNSPath: opt.netnsPath, Security: opt.Security,
		Controls: opt.Controls, Unsetenv: opt.Unsetenv, UnsetAll: opt.UnsetAll, Annotations: opt.Annotations,
		Domainname: opt.Domainname, EnvMerge: opt.EnvMerge,
	})
}

// withExposed is the image's EXPOSEd ports and --expose's.
func withExposed(image map[string]struct{}, more []string) map[string]struct{} {
	out := maps.Clone(image)
	if out == nil {
		out = map[string]struct{}{}
	}
	for _, p := range more {
		out[p] = struct{}{}
	}
	return out
}

// containerHostname is --hostname, else the host's (--network host, --uts
// host) or the joined container's (--uts container:), else the short ID.
func containerHostname(s storage.Store, id string, opt CreateOpt) (string, error) {
	switch {
	case opt.Hostname != "":
		return opt.Hostname, nil
	case opt.Controls.UTS == ocispec.NSHost || (opt.Network.Kind == network.Host && opt.Controls.UTS == ""):
		return os.Hostname()
	case opt.Controls.JoinedHostname != "":
		return opt.Controls.JoinedHostname, nil
	}
	return id[:12], nil
}

// supplementaryGroups are the image user's groups and --group-add's (a
// GID, or a name in the image's /etc/group).
func supplementaryGroups(rootfs string, sgids []int, add []string) ([]uint32, error) {
	if len(add) > 0 {
		group, err := securejoin.SecureJoin(rootfs, "/etc/group")
		if err != nil {
			return nil, err
		}
		extra, err := user.GetAdditionalGroupsPath(add, group)
		if err != nil {
			return nil, fmt.Errorf("%w: --group-add: %v", errdefs.ErrInvalidArgument, err)
		}
		sgids = append(sgids, extra...)
	}
	groups := make([]uint32, len(sgids))
	for i, g := range sgids {
		groups[i] = uint32(g)
	}
	return groups, nil
}

// resolveUser reads the image's own /etc/passwd and /etc/group, confined
// to the root (a symlinked /etc/passwd cannot point at the host's), or
// passwd when it is the one --hostuser made.
func resolveUser(rootfs, spec, passwd string) (*user.ExecUser, error) {
	if spec == "" {
		spec = "0"
	}
	var err error
	if passwd == "" {
		if passwd, err = securejoin.SecureJoin(rootfs, "/etc/passwd"); err != nil {
			return nil, err
		}
	}
	group, err := securejoin.SecureJoin(rootfs, "/etc/group")
	if err != nil {
		return nil, err
	}
	u, err := user.GetExecUserPath(spec, &user.ExecUser{Home: "/"}, passwd, group)
	if err != nil {
		return nil, fmt.Errorf("user %q in the image: %w", spec, err)
	}
	return u, nil
}

// hostsBase is --hosts-file's base for /etc/hosts: a host file, the
// image's own (read inside its root), empty for none; nil for burrow's
// default.
func hostsBase(rootfs, hostsFile string) ([]byte, error) {
	path := hostsFile
	switch hostsFile {
	case "":
		return nil, nil
	case "none":
		return []byte{}, nil
	case "image":
		var err error
		if path, err = securejoin.SecureJoin(rootfs, "/etc/hosts"); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(path)
	if hostsFile == "image" && errors.Is(err, fs.ErrNotExist) {
		return []byte{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("--hosts-file %s: %w", hostsFile, err)
	}
	return data, nil
}

func writeEtcFiles(dir string, o etcOpt) (map[string]string, error) {
	o.HostHosts, _ = os.ReadFile("/etc/hosts")
	o.HostResolv, _ = os.ReadFile("/etc/resolv.conf")
	hosts, resolv, err := etcContents(o)
	if err != nil {
		return nil, err
	}
	files := map[string]string{
		"/etc/hostname":    o.Hostname + "\n",
		"/etc/hosts":       hosts,
		"/etc/resolv.conf": resolv,
	}
	out := map[string]string{}
	for dst, content := range files {
		src := filepath.Join(dir, filepath.Base(dst))
		if err := os.WriteFile(src, []byte(content), 0o644); err != nil {
			return nil, fmt.Errorf("write %s for the container: %w", dst, err)
		}
		out[dst] = src
	}
	return out, nil
}

// saveSpec keeps the spec in the container's run directory: the monitor
// starts from it, and exec takes its process defaults from it.
func saveSpec(s storage.Store, id string, spec *specs.Spec) error {
	runDir, err := s.ContainerRunDirectory(id)
	if err != nil {
		return err
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(runDir, specFile), data, 0o600); err != nil {
		return fmt.Errorf("save spec of %s: %w", id, err)
	}
	return nil
}

// LoadSpec reads the runtime spec a container was created with.
func LoadSpec(s storage.Store, id string) (*specs.Spec, error) { return loadSpec(s, id) }

func loadSpec(s storage.Store, id string) (*specs.Spec, error) {
	runDir, err := s.ContainerRunDirectory(id)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(runDir, specFile))
	if err != nil {
		return nil, fmt.Errorf("read spec of %s: %w", id, err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("parse spec of %s: %w", id, err)
	}
	return &spec, nil
}

// containerCgroup makes the container's cgroup when the user has (or
// systemd grants) a delegated subtree; limits without one are refused,
// with the fix. --cgroups=disabled: none, whatever is delegated.
func containerCgroup(id string, limits cgroupv2.Limits) (string, error) {
	if limits.Disabled {
		return "", nil
	}
	d, err := cgroupv2.Choose(cgroupv2.Host{}, userns.HostUID()).Delegate(id)
	if err != nil {
		if limits.Empty() && limits.Parent == "" {
			return "", nil // no cgroup, no limits: run as a plain process tree
		}
		return "", fmt.Errorf("resource limits need cgroup v2 delegation: %w", err)
	}
	return cgroupv2.Create(d, id, limits)
}

// sharedNetns resolves --network container:NAME to the running
// container's network namespace.
func sharedNetns(s storage.Store, runRoot string, m network.Mode) (string, error) {
	if m.Kind != network.Container {
		return "", nil
	}
	c, err := Find(s, runRoot, m.Target)
	if err != nil {
		return "", fmt.Errorf("--network %s: %w", m, err)
	}
	if !c.Running {
		return "", fmt.Errorf("--network %s: the container is not running: %w", m, errdefs.ErrInvalidArgument)
	}
	return fmt.Sprintf("/proc/%d/ns/net", c.Pid), nil
}
