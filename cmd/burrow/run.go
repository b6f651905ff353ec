package main

import (
	"errors"
	"fmt"
	"os"
	"slices"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/ocispec"
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
			&cli.StringSliceFlag{Name: "volume", Aliases: []string{"v"}, Usage: "[HOST-PATH|VOLUME:]CONTAINER-PATH[:ro,U,O,z,nocopy,...]"},
			&cli.StringSliceFlag{Name: "mount", Usage: "type=bind|volume|tmpfs,src=,dst=[,ro,...] (docker's syntax)"},
			&cli.StringSliceFlag{Name: "volumes-from", Usage: "the volumes of CONTAINER[:ro|rw]"},
			&cli.BoolFlag{Name: "read-only-tmpfs", Usage: "with --read-only: tmpfs on /tmp, /var/tmp and /run"},
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
			&cli.StringSliceFlag{Name: "log-opt", Usage: "max-size=SIZE, max-file=N, path=FILE for the json-file log"},
			&cli.BoolFlag{Name: "init", Usage: "run a small init as PID 1 that forwards signals and reaps zombies"},
			&cli.StringFlag{Name: "cidfile", Usage: "write the container ID to this file"},
			&cli.StringFlag{Name: "network", Aliases: []string{"net"}, Usage: "pasta (the default where installed), slirp4netns[:mtu=N,allow_host_loopback=true,enable_ipv6=false], none (loopback only), host, container:NAME, or a user-defined network NAME (bridge: the default one, made on first use)"},
			&cli.StringSliceFlag{Name: "network-alias", Usage: "another name for the container on its user-defined networks"},
			&cli.StringFlag{Name: "ip", Usage: "the container's address on its (first) user-defined network"},
			&cli.StringFlag{Name: "mac-address", Usage: "the container's MAC address on its (first) user-defined network, a unicast one such as 02:42:0a:59:01:32"},
			&cli.StringSliceFlag{Name: "link", Usage: "CONTAINER[:ALIAS]: a running container on the same network, in /etc/hosts and as docker's legacy ALIAS_PORT_* variables"},
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
			&cli.StringFlag{Name: "health-cmd", Usage: "command (run by /bin/sh -c in the container) whose success means healthy"},
			&cli.DurationFlag{Name: "health-interval", Usage: "time between checks (default 30s)"},
			&cli.DurationFlag{Name: "health-timeout", Usage: "longest a check may run (default 30s)"},
			&cli.DurationFlag{Name: "health-start-period", Usage: "failures in this first time do not count"},
			&cli.IntFlag{Name: "health-retries", Usage: "failures in a row that make the container unhealthy (default 3)"},
			&cli.BoolFlag{Name: "no-healthcheck", Usage: "no healthcheck, not even the image's"},
			&cli.DurationFlag{Name: "health-start-interval", Usage: "time between checks during the start period (default: --health-interval)"},
			&cli.StringFlag{Name: "health-on-failure", Usage: "on turning unhealthy: none (default), kill, stop, or restart (with -d)"},
			&cli.StringFlag{Name: "health-startup-cmd", Usage: "a startup check (sh -c) run before the regular one until it passes"},
			&cli.DurationFlag{Name: "health-startup-interval", Usage: "time between startup checks (default 30s)"},
			&cli.DurationFlag{Name: "health-startup-timeout", Usage: "longest a startup check may run (default 30s)"},
			&cli.IntFlag{Name: "health-startup-retries", Usage: "failed startup checks that restart the container (with -d; default 0: no bound)"},
			&cli.IntFlag{Name: "health-startup-success", Usage: "passed startup checks before the regular ones begin (default 1)"},
			&cli.IntFlag{Name: "health-max-log-count", Usage: "results kept in .State.Health.Log (default 5; 0 all)"},
			&cli.IntFlag{Name: "health-max-log-size", Usage: "characters of output kept per result (default 4096, the most a check's output is read to; 0 that most)"},
		},
		Action: runAction,
	}
	cmd.Flags = append(cmd.Flags, moreLimitFlags()...)
	cmd.Flags = append(cmd.Flags, cgroupFlags()...)
	cmd.Flags = append(cmd.Flags, controlFlags()...)
	cmd.Flags = append(cmd.Flags, compatFlags()...)
	cmd.Flags = append(cmd.Flags, moreCompatFlags()...)
	cmd.Flags = append(cmd.Flags, refusedFlags()...)
	cmd.Flags = append(cmd.Flags, preserveFDFlag)
	cmd.Flags = append(cmd.Flags, pullFlags()...)
	return cmd
}

// controlFlags loosen or tighten devices, groups, kernel settings, limits
// and namespaces (engine.ControlOptions).
func controlFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "device", Usage: "HOST[:CONTAINER][:rwm]: a host device, or every device under a directory (/dev/dri)"},
		&cli.StringSliceFlag{Name: "group-add", Usage: "an extra group (GID or name in the image), or keep-groups: your host groups"},
		&cli.StringSliceFlag{Name: "sysctl", Usage: "a namespaced kernel setting KEY=VALUE (net.*, kernel.shm*/msg*/sem, fs.mqueue.*)"},
		&cli.StringSliceFlag{Name: "ulimit", Usage: "NAME=SOFT[:HARD] (nofile, nproc, core, ...; default: yours, nofile and nproc at your hard limit)"},
		&cli.StringFlag{Name: "shm-size", Usage: "size of /dev/shm (default 64m)"},
		&cli.IntFlag{Name: "oom-score-adj", Usage: "the container's oom_score_adj (not below burrow's own)"},
		&cli.StringFlag{Name: "pid", Usage: "PID namespace: host or container:NAME"},
		&cli.StringFlag{Name: "ipc", Usage: "IPC namespace: host, container:NAME, shareable or private"},
		&cli.StringFlag{Name: "uts", Usage: "UTS namespace: host or container:NAME"},
		&cli.StringFlag{Name: "cgroupns", Usage: "cgroup namespace: host or private"},
		&cli.StringFlag{Name: "stop-signal", Usage: "signal that stops the container (default: the image's, else SIGTERM)"},
		&cli.IntFlag{Name: "stop-timeout", Usage: "seconds stop waits before SIGKILL (default 10)"},
	}
}

// controlOptions are the control flags as the engine takes them.
func controlOptions(c *cli.Context) engine.ControlOptions {
	o := engine.ControlOptions{
		Devices: c.StringSlice("device"), GroupAdd: c.StringSlice("group-add"), Sysctls: c.StringSlice("sysctl"),
		Ulimits: c.StringSlice("ulimit"), ShmSize: c.String("shm-size"),
		PID: c.String("pid"), IPC: c.String("ipc"), UTS: c.String("uts"), Cgroupns: c.String("cgroupns"),
		StopSignal: c.String("stop-signal"),
	}
	if isSet(c, "oom-score-adj") {
		v := c.Int("oom-score-adj")
		o.OOMScoreAdj = &v
	}
	if isSet(c, "stop-timeout") {
		v := c.Int("stop-timeout")
		o.StopTimeout = &v
	}
	return o
}

// pullFlags: run and create also pull, with --pull and the registry settings.
func pullFlags() []cli.Flag {
	return append(append(registryFlags(), pullMoreFlags()...),
		&cli.StringFlag{Name: "pull", Value: "missing", Usage: "missing, always or never: when to pull the image"},
		&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no pull progress"})
}

func runAction(c *cli.Context) error {
	opt, err := runOptions(c)
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	if err := replaceContainer(c, e); err != nil {
		return err
	}
	id, code, err := e.Run(c.Context, opt)
	if err != nil {
		return pullElsewhere(e, err)
	}
	removeImageAfter(c, e, opt.Image)
	if opt.Detach {
		fmt.Println(id)
		if err := writePidfile(c, e, id); err != nil {
			return err
		}
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}

// runOptions builds the engine's options from the flags and has the
// engine check them before anything is opened or created.
func runOptions(c *cli.Context) (engine.RunOptions, error) {
	var opt engine.RunOptions
	if c.NArg() < 1 {
		return opt, fmt.Errorf("%w: %s needs an image (burrow %s [OPTIONS] IMAGE [COMMAND...])", errdefs.ErrInvalidArgument, c.Command.Name, c.Command.Name)
	}
	if err := checkCompat(c); err != nil {
		return opt, err
	}
	if err := checkRefused(c); err != nil {
		return opt, err
	}
	fromFile, err := labelFiles(c)
	if err != nil {
		return opt, err
	}
	env, err := collectEnv(c)
	if err != nil {
		return opt, err
	}
	volumes := c.StringSlice("volume")
	tzVolume, tzEnv, err := tzMount(c.String("tz"))
	if err != nil {
		return opt, err
	}
	if tzVolume != "" {
		volumes = append(volumes, tzVolume)
	}
	if tzEnv != "" {
		env = ocispec.MergeEnv([]string{tzEnv}, env)
	}
	labels, err := parseLabels(append(fromFile, c.StringSlice("label")...))
	if err != nil {
		return opt, err
	}
	annotations, err := parseLabels(c.StringSlice("annotation"))
	if err != nil {
		return opt, err
	}
	limits, err := parseLimits(c)
	if err != nil {
		return opt, err
	}
	fds, err := preserveFDs(c)
	if err != nil {
		return opt, err
	}
	opt = engine.RunOptions{
		ContainerOptions: engine.ContainerOptions{
			Image: c.Args().First(), Name: c.String("name"), Command: c.Args().Tail(),
			Env: env, Workdir: c.String("workdir"), User: c.String("user"),
			Hostname: c.String("hostname"), Terminal: c.Bool("tty"), ReadOnly: c.Bool("read-only"),
			Network: c.String("network"), Publish: c.StringSlice("publish"), PublishAll: c.Bool("publish-all"),
			Expose: c.StringSlice("expose"), NoHosts: c.Bool("no-hosts"), HostUsers: c.StringSlice("hostuser"), NoHostname: c.Bool("no-hostname"), HostsFile: c.String("hosts-file"),
			Domainname: c.String("domainname"), EnvMerge: c.StringSlice("env-merge"), ImageVolume: c.String("image-volume"), Requires: c.StringSlice("requires"),
			UserEntries: engine.UserEntries{Skip: !c.Bool("passwd"), Passwd: c.String("passwd-entry"), Group: c.String("group-entry")}, Umask: c.String("umask"), Timeout: int(c.Uint("timeout")),
			Unsetenv: c.StringSlice("unsetenv"), UnsetAll: c.Bool("unsetenv-all"), Annotations: annotations,
			NetworkAliases: c.StringSlice("network-alias"), IP: c.String("ip"), MacAddress: c.String("mac-address"), Links: c.StringSlice("link"),
			Volumes: volumes, Mounts: c.StringSlice("mount"), VolumesFrom: c.StringSlice("volumes-from"),
			ReadOnlyTmpfs: c.Bool("read-only-tmpfs"), Tmpfs: c.StringSlice("tmpfs"), AutoRemove: c.Bool("rm") || c.Bool("rmi"), Labels: labels,
			Init: c.Bool("init"), Restart: c.String("restart"), LogOptions: c.StringSlice("log-opt"), LogDriver: c.String("log-driver"), Limits: limits,
			DNS: c.StringSlice("dns"), DNSSearch: c.StringSlice("dns-search"), DNSOptions: c.StringSlice("dns-option"),
			AddHosts: c.StringSlice("add-host"), SecurityOptions: c.StringSlice("security-opt"),
			CapAdd: c.StringSlice("cap-add"), CapDrop: c.StringSlice("cap-drop"), Privileged: c.Bool("privileged"),
			Controls: controlOptions(c),
			// -d -i: the monitor keeps stdin open, for attach (docker's);
			// so does -i -t, which may be detached from.
			OpenStdin: c.Bool("interactive") && (c.Bool("detach") || c.Bool("tty")),
			Health:    healthOptions(c),
		},
		Detach: c.Bool("detach"), Interactive: c.Bool("interactive"), PreserveFDs: int(c.Uint("preserve-fds")), PreserveFD: fds,
		Pull: engine.PullPolicy(c.String("pull")), Registry: registryOptions(c), CIDFile: c.String("cidfile"),
	}
	if isSet(c, "attach") {
		streams := c.StringSlice("attach")
		opt.Quiet = map[string]bool{"stdout": !slices.Contains(streams, "stdout"), "stderr": !slices.Contains(streams, "stderr")}
		opt.Interactive = opt.Interactive && slices.Contains(streams, "stdin")
	}
	opt.NoSigProxy = !c.Bool("sig-proxy")
	if opt.DetachKeys, err = detachKeys(c); err != nil {
		return opt, err
	}
	if isSet(c, "entrypoint") {
		ep := c.String("entrypoint")
		opt.Entrypoint = &ep
	}
	if err := registryCreds(c, &opt.Registry); err != nil {
		return opt, err
	}
	if c.Command.Name == "create" {
		return opt, engine.CheckCreate(opt)
	}
	return opt, engine.CheckRun(opt)
}

func collectEnv(c *cli.Context) ([]string, error) {
	fromFiles := proxyEnv(c)
	if c.Bool("env-host") {
		fromFiles = append(fromFiles, os.Environ()...)
	}
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

// pullElsewhere hands a run or create whose image must be pulled to
// burrow-build, when this binary has no registry client: the engine failed
// before it changed anything, and burrow-build runs the same command. Any
// other error is returned as it is.
func pullElsewhere(e *engine.Engine, err error) error {
	if !errors.Is(err, engine.ErrNoRegistry) {
		return err
	}
	e.Close()
	return registryHandOver()
}

// intIfSet is an int flag's value when given, else nil.
func intIfSet(c *cli.Context, name string) *int {
	if !isSet(c, name) {
		return nil
	}
	v := c.Int(name)
	return &v
}

// healthOptions are the --health-* flags as the engine takes them.
func healthOptions(c *cli.Context) engine.HealthOptions {
	return engine.HealthOptions{
		Cmd: c.String("health-cmd"), Interval: c.Duration("health-interval"), Timeout: c.Duration("health-timeout"),
		StartPeriod: c.Duration("health-start-period"), Retries: c.Int("health-retries"), None: c.Bool("no-healthcheck"),
		StartInterval: c.Duration("health-start-interval"), OnFailure: c.String("health-on-failure"),
		MaxLogCount: intIfSet(c, "health-max-log-count"), MaxLogSize: intIfSet(c, "health-max-log-size"),
		StartupCmd: c.String("health-startup-cmd"), StartupInterval: c.Duration("health-startup-interval"),
		StartupTimeout: c.Duration("health-startup-timeout"), StartupRetries: c.Int("health-startup-retries"),
		StartupSuccess: c.Int("health-startup-success"),
	}
}
