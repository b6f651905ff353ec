package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// compatFlags are run's and create's flags that scripts written for
// docker and podman pass and that burrow answers in the CLI itself.
func compatFlags() []cli.Flag {
	return []cli.Flag{
		&cli.BoolFlag{Name: "replace", Usage: "remove a container of the same --name first (stopping it)"},
		&cli.BoolFlag{Name: "rmi", Usage: "after the container exits, remove its image unless another container uses it (implies --rm; not with -d)"},
		&cli.StringSliceFlag{Name: "label-file", Usage: "read KEY=VALUE labels from a file, a line each"},
		&cli.BoolFlag{Name: "env-host", Usage: "pass your whole environment in (before --env-file and --env)"},
		&cli.StringFlag{Name: "log-driver", Value: "json-file", Usage: "json-file or k8s-file (both read by burrow logs), none (no log), passthrough (burrow's own output; not with -d)"},
		&cli.StringFlag{Name: "kernel-memory", Usage: "accepted and ignored with a warning: cgroup v2 has no kernel memory limit"},
		&cli.StringFlag{Name: "userns", Usage: "host (or empty): burrow's own mapping, you as root and your subordinate IDs; other modes are refused"},
		&cli.StringFlag{Name: "pidfile", Usage: "with -d: write the container's PID (as the host sees it) to this file"},
		&cli.StringFlag{Name: "conmon-pidfile", Usage: "with -d: write the PID of the container's monitor (burrow's conmon) to this file"},
		detachKeysFlag,
		&cli.StringSliceFlag{Name: "expose", Usage: "PORT[-PORT][/PROTO]: more ports that -P publishes"},
		&cli.BoolFlag{Name: "no-hosts", Usage: "keep the image's /etc/hosts instead of burrow's generated one"},
		&cli.StringSliceFlag{Name: "hostuser", Usage: "add this host account (name or UID) to the container's /etc/passwd (repeatable)"},
		&cli.StringSliceFlag{Name: "unsetenv", Usage: "drop a default variable (burrow's or the image's); -e still sets it"},
		&cli.BoolFlag{Name: "unsetenv-all", Usage: "drop every default variable; only -e and --env-file ones stay"},
		&cli.StringSliceFlag{Name: "annotation", Usage: "KEY=VALUE in the container's runtime spec"},
		&cli.StringSliceFlag{Name: "attach", Aliases: []string{"a"}, Usage: "stdin, stdout, stderr: the streams a foreground run attaches (default all; stdin with -i)"},
		&cli.BoolFlag{Name: "sig-proxy", Value: true, Usage: "pass the signals burrow receives on to the container (false: the container is not told)"},
		&cli.UintFlag{Name: "timeout", Usage: "seconds the container may run before it is killed (SIGKILL); 0 for no limit"},
		&cli.StringFlag{Name: "umask", Usage: "the container's umask (octal; default 0022)"},
		&cli.StringFlag{Name: "tz", Usage: "the container's time zone: Area/City (the host's zoneinfo file, and TZ) or local (the host's /etc/localtime)"},
	}
}

// checkCompat refuses what burrow cannot honour before anything is made.
func checkCompat(c *cli.Context) error {
	switch d := c.String("log-driver"); d {
	case "json-file", "k8s-file", "none":
	case "passthrough":
		if c.Bool("detach") {
			return fmt.Errorf("%w: --log-driver passthrough hands the container burrow's own output: not with -d", errdefs.ErrInvalidArgument)
		}
	default:
		return fmt.Errorf("%w: --log-driver %s: want json-file, k8s-file, none or passthrough", errdefs.ErrInvalidArgument, d)
	}
	for _, s := range c.StringSlice("attach") {
		if s != "stdin" && s != "stdout" && s != "stderr" {
			return fmt.Errorf("%w: --attach %q: want stdin, stdout or stderr", errdefs.ErrInvalidArgument, s)
		}
	}
	if isSet(c, "attach") && c.Bool("detach") {
		return fmt.Errorf("%w: --attach and --detach conflict", errdefs.ErrInvalidArgument)
	}
	if c.Bool("rmi") && c.Bool("detach") {
		return fmt.Errorf("%w: --rmi removes the image when a foreground run ends: not with -d", errdefs.ErrInvalidArgument)
	}
	switch u := c.String("userns"); u {
	case "", "host":
	default:
		return fmt.Errorf("%w: --userns %s: burrow runs every container in its one user namespace (you as root, your subordinate IDs); only host is supported", errdefs.ErrInvalidArgument, u)
	}
	if c.String("pidfile") != "" && !c.Bool("detach") {
		return fmt.Errorf("%w: --pidfile needs -d", errdefs.ErrInvalidArgument)
	}
	if c.String("conmon-pidfile") != "" && !c.Bool("detach") {
		return fmt.Errorf("%w: --conmon-pidfile needs -d: a foreground run's monitor is burrow itself", errdefs.ErrInvalidArgument)
	}
	if isSet(c, "kernel-memory") {
		warn("--kernel-memory is ignored: cgroup v2 has no separate kernel memory limit")
	}
	return nil
}

// labelFiles reads --label-file files: KEY=VALUE lines, # comments.
func labelFiles(c *cli.Context) ([]string, error) {
	var out []string
	for _, f := range c.StringSlice("label-file") {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: --label-file: %v", errdefs.ErrInvalidArgument, err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// replaceContainer is --replace: the named container goes first.
func replaceContainer(c *cli.Context, e *engine.Engine) error {
	name := c.String("name")
	if !c.Bool("replace") || name == "" {
		return nil
	}
	err := e.Remove(name, engine.RemoveOptions{Force: true})
	if errors.Is(err, errdefs.ErrContainerUnknown) {
		return nil
	}
	return err
}

// removeImageAfter is --rmi: an image still used by another container
// stays, as podman leaves it.
func removeImageAfter(c *cli.Context, e *engine.Engine, image string) {
	if !c.Bool("rmi") {
		return
	}
	if _, err := e.RemoveImage(image, false); err != nil && !errors.Is(err, errdefs.ErrInUse) {
		warn(fmt.Sprintf("--rmi: %v", err))
	}
}

// writePidfile is --pidfile and --conmon-pidfile (the monitor's PID) for
// a detached container.
func writePidfile(c *cli.Context, e *engine.Engine, id string) error {
	path, monitorPath := c.String("pidfile"), c.String("conmon-pidfile")
	if path == "" && monitorPath == "" {
		return nil
	}
	ctr, err := e.Container(id)
	if err != nil {
		return err
	}
	if path != "" {
		if err := os.WriteFile(path, []byte(fmt.Sprint(ctr.Pid)), 0o644); err != nil {
			return fmt.Errorf("--pidfile: %w", err)
		}
	}
	if monitorPath != "" {
		if err := os.WriteFile(monitorPath, []byte(fmt.Sprint(ctr.OwnerPid)), 0o644); err != nil {
			return fmt.Errorf("--conmon-pidfile: %w", err)
		}
	}
	return nil
}

var detachKeysFlag = &cli.StringFlag{Name: "detach-keys", Value: engine.DefaultDetachKeys,
	Usage: `keys that leave a container with -i and -t running, detached (a character or ctrl-X each, comma-separated; "" for none)`}

// detachKeys reads --detach-keys.
func detachKeys(c *cli.Context) ([]byte, error) {
	return engine.ParseDetachKeys(c.String("detach-keys"))
}

var zoneName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$`) })

// tzMount is --tz as a read-only bind of the host's zone file on
// /etc/localtime, and the TZ variable for a named zone.
func tzMount(tz string) (volume, env string, err error) {
	const zoneinfo = "/usr/share/zoneinfo"
	src := filepath.Join(zoneinfo, tz)
	switch {
	case tz == "":
		return "", "", nil
	case tz == "local":
		src, env = "/etc/localtime", ""
	case !zoneName().MatchString(tz):
		return "", "", fmt.Errorf("%w: --tz %q: want Area/City or local", errdefs.ErrInvalidArgument, tz)
	default:
		env = "TZ=" + tz
	}
	file, err := filepath.EvalSymlinks(src)
	if err != nil {
		return "", "", fmt.Errorf("%w: --tz %s: no such zone on this host (%v)", errdefs.ErrInvalidArgument, tz, err)
	}
	if fi, err := os.Stat(file); err != nil || !fi.Mode().IsRegular() {
		return "", "", fmt.Errorf("%w: --tz %s: %s is not a zone file", errdefs.ErrInvalidArgument, tz, file)
	}
	return file + ":/etc/localtime:ro", env, nil
}
