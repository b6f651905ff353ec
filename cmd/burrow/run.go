package main

import (
	"errors"
	"fmt"
	"github.com/burrow/burrow/netconf"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/imageio"
	"github.com/burrow/burrow/inherit"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/monitor"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/network/backends"
	"github.com/burrow/burrow/ocispec"
	"github.com/burrow/burrow/store"
	"github.com/docker/go-units"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/urfave/cli/v2"
)

func runCommand() *cli.Command {
	cmd := &cli.Command{
		Name:      "run",
		Usage:     "run a command in a new container",
		ArgsUsage: "IMAGE [COMMAND [ARG...]]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "keep stdin open"},
			&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-terminal"},
			&cli.BoolFlag{Name: "rm", Usage: "remove the container when it exits"},
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "run in the background and print the container ID"},
			&cli.StringFlag{Name: "name", Usage: "container name"},
			&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set environment variables (KEY=VALUE or KEY)"},
			&cli.StringSliceFlag{Name: "env-file", Usage: "read environment variables from a file"},
			&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory inside the container"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "user[:group] (name or id) in the container"},
			&cli.StringFlag{Name: "hostname", Aliases: []string{"h"}, Usage: "container host name"},
			&cli.StringFlag{Name: "entrypoint", Usage: "override the image's entrypoint"},
			&cli.BoolFlag{Name: "read-only", Usage: "mount the root filesystem read-only"},
			&cli.StringSliceFlag{Name: "volume", Aliases: []string{"v"}, Usage: "bind mount HOST:CONTAINER[:ro]"},
			&cli.StringSliceFlag{Name: "tmpfs", Usage: "mount a tmpfs at PATH[:OPTIONS]"},
			&cli.StringSliceFlag{Name: "label", Aliases: []string{"l"}, Usage: "set a label KEY=VALUE"},
			&cli.StringFlag{Name: "restart", Value: "no", Usage: "no, always, unless-stopped or on-failure[:N] (detached containers)"},
			&cli.StringFlag{Name: "memory", Aliases: []string{"m"}, Usage: "memory limit (e.g. 256m)"},
			&cli.StringFlag{Name: "memory-swap", Usage: "memory + swap limit; -1 for unlimited swap"},
			&cli.Float64Flag{Name: "cpus", Usage: "number of CPUs (e.g. 1.5)"},
			&cli.Uint64Flag{Name: "cpu-shares", Aliases: []string{"c"}, Usage: "relative CPU weight (docker's 2..262144)"},
			&cli.StringFlag{Name: "cpuset-cpus", Usage: "CPUs to run on (e.g. 0-1)"},
			&cli.Int64Flag{Name: "pids-limit", Usage: "process limit (-1 unlimited)"},
			&cli.UintFlag{Name: "blkio-weight", Usage: "relative IO weight (10..1000)"},
			&cli.StringSliceFlag{Name: "device-read-bps", Usage: "read rate limit DEVICE:RATE (e.g. /dev/vda:10mb)"},
			&cli.StringSliceFlag{Name: "device-write-bps", Usage: "write rate limit DEVICE:RATE"},
			&cli.StringSliceFlag{Name: "log-opt", Usage: "max-size=SIZE, max-file=N for the json-file log"},
			&cli.BoolFlag{Name: "init", Usage: "run a small init as PID 1 that forwards signals and reaps zombies"},
			&cli.StringFlag{Name: "cidfile", Usage: "write the container ID to this file"},
			&cli.StringFlag{Name: "network", Aliases: []string{"net"}, Usage: "pasta (the default where installed), slirp4netns[:mtu=N,allow_host_loopback=true,enable_ipv6=false], none (loopback only), host, container:NAME, or a user-defined network NAME (bridge: the default one, made on first use)"},
			&cli.StringSliceFlag{Name: "network-alias", Usage: "another name for the container on its user-defined networks"},
			&cli.StringFlag{Name: "ip", Usage: "the container's address on its (first) user-defined network"},
			&cli.StringSliceFlag{Name: "publish", Aliases: []string{"p"}, Usage: "publish [hostIP:][hostPort:]containerPort[/udp] (pasta or slirp4netns)"},
			&cli.BoolFlag{Name: "publish-all", Aliases: []string{"P"}, Usage: "publish every EXPOSEd port on a free host port"},
			&cli.StringSliceFlag{Name: "dns", Usage: "DNS server for the container"},
			&cli.StringSliceFlag{Name: "dns-search", Usage: "DNS search domain"},
			&cli.StringSliceFlag{Name: "dns-option", Usage: "resolv.conf option (e.g. ndots:2)"},
			&cli.StringSliceFlag{Name: "add-host", Usage: "add NAME:IP (or NAME:host-gateway) to /etc/hosts"},
			&cli.StringSliceFlag{Name: "security-opt", Usage: "seccomp=unconfined|PROFILE.json, no-new-privileges[=false], mask=/p:/q, unmask=ALL|/p, label=disable"},
			&cli.StringSliceFlag{Name: "cap-add", Usage: "add a capability (NET_ADMIN, CAP_SYS_PTRACE, ALL)"},
			&cli.StringSliceFlag{Name: "cap-drop", Usage: "drop a capability (CHOWN, ALL)"},
			&cli.BoolFlag{Name: "privileged", Usage: "every capability of burrow's user namespace, no seccomp, no masked paths, /sys writable, the host devices you can open"},
			&cli.UintFlag{Name: "preserve-fds", Usage: "pass descriptors 3 .. 3+N-1 on to the container (foreground run)"},
		},
		Action: runAction,
	}
	cmd.Flags = append(cmd.Flags, pullFlags()...)
	return cmd
}

// pullFlags: run and create also pull, with --pull and the registry settings.
func pullFlags() []cli.Flag {
	return append(registryFlags(),
		&cli.StringFlag{Name: "pull", Value: "missing", Usage: "missing, always or never: when to pull the image"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no pull progress"})
}

// ensureImage pulls the image as --pull says.
func ensureImage(c *cli.Context, sess *session, ref string) error {
	policy := c.String("pull")
	switch policy {
	case "never":
		return nil
	case "missing":
		if _, err := store.FindImage(sess.store, ref); !errors.Is(err, errdefs.ErrImageUnknown) {
			return err
		}
	case "always":
	default:
		return fmt.Errorf("%w: --pull %q (want missing, always or never)", errdefs.ErrInvalidArgument, policy)
	}
	_, _, err := imageio.Pull(c.Context, sess.store, ref, registryOptions(c))
	return err
}

func runAction(c *cli.Context) error {
	opt, err := runOptions(c)
	if err != nil {
		return err
	}
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	if opt.Networks, err = resolveNetworks(c, sess, opt.Network); err != nil {
		return err
	}
	if err := ensureImage(c, sess, opt.Image); err != nil {
		return err
	}
	if c.Bool("detach") {
		id, err := lifecycle.RunDetached(sess.store, sess.paths.RunRoot, opt.CreateOpt)
		if err != nil {
			return err
		}
		fmt.Println(id)
		return writeCIDFile(c, id)
	}
	// A foreground run may last for hours: once its container exists, its
	// layer is in use and a repair may run meanwhile.
	opt.OnCreated = func(id string) error {
		sess.endWrites()
		sess.endWrites = func() {}
		return writeCIDFile(c, id)
	}
	if opt.Preserve, err = inherit.Files(int(c.Uint("preserve-fds"))); err != nil {
		return fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
	}
	code, err := lifecycle.Run(sess.store, sess.paths.RunRoot, opt)
	if err != nil {
		return err
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}

// runOptions validates every flag before anything is created.
func runOptions(c *cli.Context) (lifecycle.RunOpt, error) {
	var opt lifecycle.RunOpt
	if c.NArg() < 1 {
		return opt, fmt.Errorf("%w: run needs an image (burrow run [OPTIONS] IMAGE [COMMAND...])", errdefs.ErrInvalidArgument)
	}
	network, ports, err := networkMode(c.String("network"), c.StringSlice("publish"), c.Bool("publish-all"))
	if err != nil {
		return opt, err
	}
	if err := checkNameAndDNS(c); err != nil {
		return opt, err
	}
	env, err := collectEnv(c)
	if err != nil {
		return opt, err
	}
	mounts, err := collectMounts(c)
	if err != nil {
		return opt, err
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return opt, err
	}
	limits, err := parseLimits(c)
	if err != nil {
		return opt, err
	}
	logRotation, err := parseLogOpts(c.StringSlice("log-opt"))
	if err != nil {
		return opt, err
	}
	policy, err := monitor.ParseRestartPolicy(c.String("restart"))
	if err != nil {
		return opt, err
	}
	if policy.Name != "no" && c.Bool("rm") {
		return opt, fmt.Errorf("%w: --restart %s and --rm conflict", errdefs.ErrInvalidArgument, policy.Name)
	}
	if policy.Name != "no" && c.Command.Name == "run" && !c.Bool("detach") {
		return opt, fmt.Errorf("%w: --restart applies to detached containers: add -d", errdefs.ErrInvalidArgument)
	}
	if c.Uint("preserve-fds") > 0 && (c.Bool("detach") || c.Command.Name != "run") {
		return opt, fmt.Errorf("%w: --preserve-fds needs a foreground run (the descriptors are this command's)", errdefs.ErrInvalidArgument)
	}
	seccomp, security, err := parseSecurityOpts(c.StringSlice("security-opt"))
	if err != nil {
		return opt, err
	}
	security.CapAdd, security.CapDrop, security.Privileged = c.StringSlice("cap-add"), c.StringSlice("cap-drop"), c.Bool("privileged")
	if _, err := ocispec.BoundingSet(security); err != nil {
		return opt, err
	}
	if cid := c.String("cidfile"); cid != "" {
		if _, err := os.Stat(cid); err == nil {
			return opt, fmt.Errorf("%w: --cidfile %s exists: remove it or pick another", errdefs.ErrInvalidArgument, cid)
		}
	}
	opt = lifecycle.RunOpt{
		Interactive: c.Bool("interactive"),
		CreateOpt: lifecycle.CreateOpt{
			Image: c.Args().First(), Name: c.String("name"), Args: c.Args().Tail(),
			Env: env, Workdir: c.String("workdir"), User: c.String("user"),
			Hostname: c.String("hostname"), Terminal: c.Bool("tty"), ReadOnly: c.Bool("read-only"),
			Network: network, Mounts: mounts, AutoRemove: c.Bool("rm"), Labels: labels,
			Init: c.Bool("init"), Restart: c.String("restart"), Log: logRotation, Limits: limits,
			Ports: ports, PublishAll: c.Bool("publish-all"), DNS: c.StringSlice("dns"),
			DNSSearch: c.StringSlice("dns-search"), DNSOptions: c.StringSlice("dns-option"), AddHosts: c.StringSlice("add-host"),
			Seccomp: seccomp, Security: security,
		},
	}
	if c.IsSet("entrypoint") {
		ep := c.String("entrypoint")
		opt.Entrypoint = &ep
	}
	return opt, nil
}

func collectEnv(c *cli.Context) ([]string, error) {
	var fromFiles []string
	for _, f := range c.StringSlice("env-file") {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: --env-file: %v", errdefs.ErrInvalidArgument, err)
		}
		env, err := ocispec.ParseEnvFile(string(data), os.LookupEnv)
		if err != nil {
			return nil, fmt.Errorf("--env-file %s: %w", f, err)
		}
		fromFiles = append(fromFiles, env...)
	}
	flags, err := ocispec.ParseEnv(c.StringSlice("env"), os.LookupEnv)
	if err != nil {
		return nil, err
	}
	return ocispec.MergeEnv(fromFiles, flags), nil
}

func collectMounts(c *cli.Context) ([]specs.Mount, error) {
	var mounts []specs.Mount
	for _, v := range c.StringSlice("volume") {
		m, err := ocispec.ParseVolume(v)
		if err != nil {
			return nil, err
		}
		if _, err := os.Stat(m.Source); err != nil {
			return nil, fmt.Errorf("%w: volume %s: %v", errdefs.ErrInvalidArgument, v, err)
		}
		mounts = append(mounts, m)
	}
	for _, v := range c.StringSlice("tmpfs") {
		m, err := ocispec.ParseTmpfs(v)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, m)
	}
	return mounts, nil
}

// parseLogOpts reads --log-opt max-size=10m and max-file=3 (docker's
// json-file options; max-file needs max-size).
func parseLogOpts(values []string) (logfile.Rotation, error) {
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

// networkMode parses --network (the default when it is not given) and
// checks it with -p before anything is created: the helper is installed,
// and every host port can be bound.
func networkMode(value string, publish []string, publishAll bool) (network.Mode, []network.Port, error) {
	var m network.Mode
	if value == "" {
		var why string
		if m, why = backends.Default(); why != "" {
			fmt.Fprintf(os.Stderr, "Warning: the container gets loopback only: %s (--network none silences this)\n", why)
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

// parseSecurityOpts takes --security-opt: seccomp=unconfined|PROFILE.json,
// no-new-privileges[=true|false], mask=/p:/q, unmask=ALL|/p:/q, and label=
// (nothing to do where SELinux is off). Others are refused by name.
func parseSecurityOpts(opts []string) (string, ocispec.Security, error) {
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
			err = labelOption(v)
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

// labelOption accepts SELinux label options where SELinux is off, as
// podman does; where it is on, burrow cannot apply them yet.
func labelOption(v string) error {
	k, _, _ := strings.Cut(v, ":")
	if v != "disable" && v != "nested" && k != "type" && k != "level" && k != "user" && k != "role" && k != "filetype" {
		return errors.New("want disable, nested, or type:, level:, user:, role:, filetype: with a value")
	}
	if _, err := os.Stat("/sys/fs/selinux/enforce"); err == nil && v != "disable" {
		return errors.New("SELinux is on here and burrow does not set labels yet")
	}
	return nil
}

// checkNameAndDNS refuses a bad --name or --dns before anything exists:
// a resolv.conf nameserver line only takes an address.
func checkNameAndDNS(c *cli.Context) error {
	if name := c.String("name"); name != "" {
		if err := lifecycle.CheckName(name); err != nil {
			return err
		}
	}
	for _, d := range c.StringSlice("dns") {
		if net.ParseIP(d) == nil {
			return fmt.Errorf("%w: --dns %q is not an IP address", errdefs.ErrInvalidArgument, d)
		}
	}
	return nil
}

// resolveNetworks finds the user-defined network a container joins (the
// default one is created on first use); --ip and --network-alias need one.
func resolveNetworks(c *cli.Context, sess *session, m network.Mode) ([]netconf.Attach, error) {
	aliases, ip := c.StringSlice("network-alias"), c.String("ip")
	if m.Kind != network.Bridge {
		if len(aliases) > 0 || ip != "" {
			return nil, fmt.Errorf("%w: --network-alias and --ip need a user-defined network (--network NAME), not %s", errdefs.ErrInvalidArgument, m)
		}
		return nil, nil
	}
	return networkStore(sess).Resolve(netconf.AttachOpt{Networks: []string{m.Target}, IP: ip, Aliases: aliases})
}
