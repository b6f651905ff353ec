package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// moreCompatFlags are podman's and docker's run and create flags about a
// container's files, names, environment and neighbours.
func moreCompatFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "no-hostname", Usage: "keep the image's /etc/hostname instead of burrow's generated one"},
		&cli.StringFlag{Name: "hosts-file", Usage: "the base of /etc/hosts: an absolute host PATH, none (empty) or image (the image's own); burrow's entries follow"},
		&cli.StringFlag{Name: "domainname", Usage: "the container's NIS domain name (its own UTS namespace)"},
		&cli.StringSliceFlag{Name: "env-merge", Usage: "KEY=VALUE where ${VAR} is the image's value (PATH=${PATH}:/opt/bin)"},
		&cli.StringFlag{Name: "image-volume", Value: "bind", Usage: "the image's VOLUMEs: bind (anonymous volumes), tmpfs or ignore"},
		&cli.StringSliceFlag{Name: "requires", Usage: "CONTAINER[,CONTAINER]: started (if not running) before this one, here and on every start"},
		&cli.BoolFlag{Name: "passwd", Value: true, Usage: "give a --user the image's /etc/passwd and /etc/group lack a line there (false: leave them)"},
		&cli.StringFlag{Name: "passwd-entry", Usage: "that /etc/passwd line: $USERNAME, $UID, $GID, $NAME, $HOME (default $USERNAME:*:$UID:$GID:$NAME:$HOME:/bin/sh)"},
		&cli.StringFlag{Name: "group-entry", Usage: "that /etc/group line: $GROUPNAME, $GID, $USERLIST (default $GROUPNAME:x:$GID:$USERLIST)"},
		&cli.BoolFlag{Name: "http-proxy", Value: true, Usage: "pass your http_proxy, https_proxy, ftp_proxy and no_proxy (either case) in; false: not"},
	}
}

// proxyEnv is --http-proxy: the proxy variables of burrow's environment.
func proxyEnv(c *cli.Context) []string {
	if !c.Bool("http-proxy") {
		return nil
	}
	var out []string
	for _, k := range []string{"http_proxy", "https_proxy", "ftp_proxy", "no_proxy"} {
		for _, name := range []string{k, strings.ToUpper(k)} {
			if v, ok := os.LookupEnv(name); ok {
				out = append(out, name+"="+v)
			}
		}
	}
	return out
}

// refused are flags podman or docker have and burrow cannot honour, each
// with the values it does honour (burrow's own behaviour already) and why
// the rest are refused: a script fails at a clear message, exit 125,
// rather than at "flag provided but not defined".
var refused = []struct {
	flag   cli.Flag
	honour []string // values that mean what burrow does anyway
	why    string
}{
	{&cli.StringFlag{Name: "pod"}, nil, "burrow has no pods; share namespaces with --network/--pid/--ipc/--uts container:NAME"},
	{&cli.StringFlag{Name: "pod-id-file"}, nil, "burrow has no pods"},
	{&cli.StringSliceFlag{Name: "gpus"}, nil, "burrow has no GPU (CDI) support; pass the device nodes with --device"},
	{&cli.StringFlag{Name: "rdt-class"}, nil, "resctrl classes need root"},
	{&cli.StringSliceFlag{Name: "uidmap"}, nil, "burrow maps every container alike (you as root, your subordinate IDs after)"},
	{&cli.StringSliceFlag{Name: "gidmap"}, nil, "burrow maps every container alike (you as root, your subordinate IDs after)"},
	{&cli.StringFlag{Name: "subuidname"}, nil, "burrow maps your own subordinate IDs only"},
	{&cli.StringFlag{Name: "subgidname"}, nil, "burrow maps your own subordinate IDs only"},
	{&cli.StringFlag{Name: "personality"}, nil, "burrow sets no execution domain"},
	{&cli.StringSliceFlag{Name: "device-cgroup-rule"}, nil, "a rootless container cannot have device cgroup rules; pass devices with --device"},
	{&cli.StringSliceFlag{Name: "secret"}, nil, "burrow has no secret store; mount the file with -v FILE:/run/secrets/NAME:ro"},
	{&cli.StringSliceFlag{Name: "decryption-key"}, nil, "burrow pulls no encrypted images"},
	{&cli.BoolFlag{Name: "rootfs"}, nil, "burrow runs images, not a directory as root"},
	{&cli.StringFlag{Name: "ip6"}, nil, "burrow's user-defined networks are IPv4 only"},
	{&cli.StringSliceFlag{Name: "link-local-ip"}, nil, "burrow's networks give no link-local addresses"},
	{&cli.StringFlag{Name: "systemd"}, []string{"false"}, "burrow has no systemd mode (a container's init is not set up for systemd)"},
	{&cli.StringFlag{Name: "shm-size-systemd"}, nil, "burrow has no systemd mode"},
	{&cli.StringSliceFlag{Name: "chrootdirs"}, nil, "burrow has no systemd mode"},
	{&cli.StringFlag{Name: "sdnotify"}, []string{"ignore"}, "burrow passes no NOTIFY_SOCKET to containers (ignore is what it does)"},
	{&cli.StringFlag{Name: "seccomp-policy"}, []string{"default"}, "burrow applies --security-opt seccomp=, never a profile from image annotations"},
	{&cli.StringFlag{Name: "isolation"}, []string{"default"}, "Linux containers have only the default isolation"},
	{&cli.StringFlag{Name: "runtime"}, nil, "burrow is its own runtime"},
	{&cli.StringSliceFlag{Name: "storage-opt"}, nil, "burrow's storage has no per-container size quota"},
	{&cli.StringFlag{Name: "volume-driver"}, []string{"local"}, "burrow's volumes are local"},
	{&cli.StringFlag{Name: "cpu-count"}, nil, "docker's, for Windows containers"},
	{&cli.StringFlag{Name: "cpu-percent"}, nil, "docker's, for Windows containers; use --cpus"},
	{&cli.StringFlag{Name: "io-maxbandwidth"}, nil, "docker's, for Windows containers; use --device-read-bps"},
	{&cli.StringFlag{Name: "io-maxiops"}, nil, "docker's, for Windows containers; use --device-read-iops"},
	{&cli.BoolFlag{Name: "use-api-socket"}, nil, "burrow does not mount its API socket into containers; bind it with -v"},
	{&cli.StringFlag{Name: "init-path"}, nil, "burrow's --init is built in (burrow itself reaps as PID 1)"},
	{&cli.StringFlag{Name: "init-ctr"}, nil, "init containers belong to pods, which burrow does not have"},
	{&cli.StringFlag{Name: "health-log-destination"}, []string{"local"}, "burrow keeps health results with the container's state (inspect .State.Health)"},
}

func refusedFlags() []cli.Flag {
	out := make([]cli.Flag, len(refused))
	for i, r := range refused {
		out[i] = r.flag
	}
	return out
}

// checkRefused fails on a refused flag given with a value burrow would
// not honour.
func checkRefused(c *cli.Context) error {
	for _, r := range refused {
		name := r.flag.Names()[0]
		if !isSet(c, name) {
			continue
		}
		values := c.StringSlice(name)
		if v := c.String(name); v != "" || len(values) == 0 {
			values = []string{v}
		}
		for _, v := range values {
			switch {
			case slices.Contains(r.honour, v):
			case len(r.honour) > 0:
				return fmt.Errorf("%w: --%s %s is not supported, only %s: %s", errdefs.ErrInvalidArgument, name, v, strings.Join(r.honour, ", "), r.why)
			default:
				return fmt.Errorf("%w: --%s is not supported: %s", errdefs.ErrInvalidArgument, name, r.why)
			}
		}
	}
	return nil
}

var preserveFDFlag = &cli.StringSliceFlag{Name: "preserve-fd", Usage: "FD[,FD...]: pass these descriptors on, each at its own number (numbers between them are /dev/null)"}

// preserveFDs reads --preserve-fd lists.
func preserveFDs(c *cli.Context) ([]int, error) {
	var fds []int
	for _, list := range c.StringSlice("preserve-fd") {
		for _, v := range strings.Split(list, ",") {
			fd, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil || fd < 3 {
				return nil, fmt.Errorf("%w: --preserve-fd %q: want descriptor numbers from 3 up", errdefs.ErrInvalidArgument, v)
			}
			fds = append(fds, fd)
		}
	}
	return fds, nil
}
