package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// selection is how a verb that takes containers picks them besides by
// name: podman's --all, --latest, --filter and --ignore.
type selection struct {
	allShort bool                        // -a means --all (not start's --attach)
	ignore   bool                        // the verb has --ignore/-i
	longOnly bool                        // --ignore without -i (wait's -i is --interval)
	cidfile  bool                        // the verb has --cidfile (read the ID from a file)
	want     func(engine.Container) bool // the containers --all means
}

func (s selection) flags() []cli.Flag {
	all := &cli.BoolFlag{Name: "all", Usage: "every container the verb applies to"}
	if s.allShort {
		all.Aliases = []string{"a"}
	}
	flags := []cli.Flag{all,
		&cli.BoolFlag{Name: "latest", Aliases: []string{"l"}, Usage: "the newest container"},
		&cli.StringSliceFlag{Name: "filter", Usage: "containers matching status=, name=, label=, ancestor=, exited=, id= (as ps)"},
	}
	if s.ignore {
		ignore := &cli.BoolFlag{Name: "ignore", Aliases: []string{"i"}, Usage: "no error for a container that does not exist"}
		if s.longOnly {
			ignore.Aliases = nil
		}
		flags = append(flags, ignore)
	}
	if s.cidfile {
		flags = append(flags, &cli.StringSliceFlag{Name: "cidfile", Usage: "the container whose ID this file holds (run --cidfile's)"})
	}
	return flags
}

// namedRefs are the containers named as arguments or in --cidfile files.
func namedRefs(c *cli.Context, verb string) ([]string, error) {
	refs := c.Args().Slice()
	for _, f := range c.StringSlice("cidfile") {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("%w: --cidfile: %v", errdefs.ErrInvalidArgument, err)
		}
		refs = append(refs, strings.TrimSpace(string(data)))
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("%w: %s needs at least one container", errdefs.ErrInvalidArgument, verb)
	}
	return refs, nil
}

func anyContainer(engine.Container) bool { return true }
func isRunning(c engine.Container) bool  { return c.Running && !c.Paused }
func isStopped(c engine.Container) bool  { return !c.Running }
func isPaused(c engine.Container) bool   { return c.Paused }

// refs are the containers a verb acts on: its arguments, or those that
// --all, --latest or --filter pick (by full ID).
func (s selection) refs(c *cli.Context, e *engine.Engine, verb string) ([]string, error) {
	byFlag := c.Bool("all") || c.Bool("latest") || len(c.StringSlice("filter")) > 0
	switch {
	case byFlag && c.NArg() > 0:
		return nil, fmt.Errorf("%w: %s takes container names or --all/--latest/--filter, not both", errdefs.ErrInvalidArgument, verb)
	case !byFlag:
		return namedRefs(c, verb)
	}
	filters, err := parsePSFilters(c.StringSlice("filter"))
	if err != nil {
		return nil, err
	}
	all, err := e.Containers()
	if err != nil {
		return nil, err
	}
	if err := resolveTimeFilters(filters, all); err != nil {
		return nil, err
	}
	var picked []engine.Container
	for _, ctr := range all {
		if matchesAll(ctr, filters) && (!c.Bool("all") || s.want(ctr)) {
			picked = append(picked, ctr)
		}
	}
	if c.Bool("latest") && len(picked) > 1 {
		picked = []engine.Container{newest(picked)}
	}
	refs := make([]string, 0, len(picked))
	for _, ctr := range picked {
		refs = append(refs, ctr.ID)
	}
	return refs, nil
}

// eachContainer runs fn for every selected container, printing each one
// that succeeded, and joins the errors (docker's behaviour for stop, kill,
// rm). With --ignore a container that does not exist is no error.
func eachContainer(c *cli.Context, verb string, s selection, fn func(e *engine.Engine, ref string) error) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	refs, err := s.refs(c, e, verb)
	if err != nil {
		return err
	}
	var errs []error
	for _, ref := range refs {
		err := fn(e, ref)
		if s.ignore && c.Bool("ignore") && errors.Is(err, errdefs.ErrContainerUnknown) {
			continue
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Println(ref)
	}
	return errors.Join(errs...)
}

// stopTimeout is -t/--time (podman also spells it --timeout): the
// container's own --stop-timeout unless given.
func stopTimeout(c *cli.Context) time.Duration {
	if isSet(c, "time") {
		return time.Duration(c.Int("time")) * time.Second
	}
	return engine.ContainerStopTimeout
}

func timeFlag() cli.Flag {
	return &cli.IntFlag{Name: "time", Aliases: []string{"t", "timeout"}, Value: 10, Usage: "seconds to wait before SIGKILL (default: the container's --stop-timeout, else 10)"}
}

func stopCommand() *cli.Command {
	s := selection{allShort: true, ignore: true, cidfile: true, want: isRunning}
	return &cli.Command{
		Name: "stop", Usage: "stop running containers (stop signal, then SIGKILL after the timeout)", ArgsUsage: "CONTAINER...",
		Flags: append(s.flags(), timeFlag()),
		Action: func(c *cli.Context) error {
			return eachContainer(c, "stop", s, func(e *engine.Engine, ref string) error {
				return e.Stop(ref, stopTimeout(c))
			})
		},
	}
}

func killCommand() *cli.Command {
	s := selection{allShort: true, want: isRunning}
	return &cli.Command{
		Name: "kill", Usage: "send a signal to running containers", ArgsUsage: "CONTAINER...",
		Flags: append(s.flags(), &cli.StringFlag{Name: "signal", Aliases: []string{"s"}, Value: "KILL", Usage: "signal name (with or without SIG) or number; 0 checks the container is running"}),
		Action: func(c *cli.Context) error {
			sig := syscall.Signal(0)
			if c.String("signal") != "0" {
				var err error
				if sig, err = engine.ParseSignal(c.String("signal")); err != nil {
					return err
				}
			}
			return eachContainer(c, "kill", s, func(e *engine.Engine, ref string) error {
				return e.Kill(ref, sig)
			})
		},
	}
}

func rmCommand() *cli.Command {
	s := selection{allShort: true, ignore: true, cidfile: true, want: anyContainer}
	return &cli.Command{
		Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER...",
		Flags: append(s.flags(),
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "stop running containers first"},
			&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Usage: "with -f: seconds to wait for the stop signal before SIGKILL (default: SIGKILL at once, or the container's --stop-timeout)"},
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "remove the container's anonymous volumes too"},
			&cli.BoolFlag{Name: "depend", Usage: "first remove the containers that joined its namespaces, and theirs"}),
		Action: func(c *cli.Context) error {
			err := eachContainer(c, "rm", s, func(e *engine.Engine, ref string) error {
				if c.Bool("depend") {
					if err := removeDependents(c, e, ref, 0); err != nil {
						return err
					}
				}
				if c.Bool("force") && isSet(c, "time") {
					if ctr, err := e.Container(ref); err == nil && ctr.Running {
						if err := e.Stop(ref, stopTimeout(c)); err != nil {
							return err
						}
					}
				}
				return e.Remove(ref, engine.RemoveOptions{Force: c.Bool("force"), Volumes: c.Bool("volumes")})
			})
			return withRemoveExitCode(err, errdefs.ErrContainerUnknown)
		},
	}
}

// removeDependents is rm --depend: the containers that joined ref's
// namespaces go first, deepest first, each printed as it goes.
func removeDependents(c *cli.Context, e *engine.Engine, ref string, depth int) error {
	if depth > 64 {
		return fmt.Errorf("rm --depend: containers depend on each other in a loop at %s", ref)
	}
	deps, err := e.Dependents(ref)
	if err != nil {
		return err
	}
	for _, d := range deps {
		if err := removeDependents(c, e, d.ID, depth+1); err != nil {
			return err
		}
		if err := e.Remove(d.ID, engine.RemoveOptions{Force: c.Bool("force")}); err != nil {
			return err
		}
		fmt.Println(d.ID)
	}
	return nil
}

// withRemoveExitCode gives rm's and rmi's errors podman's exit codes: 1
// when every failure was a missing object, 2 when one was in use.
func withRemoveExitCode(err, unknown error) error {
	if err == nil {
		return nil
	}
	errs := []error{err}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		errs = joined.Unwrap()
	}
	missing := 0
	for _, one := range errs {
		if errors.Is(one, errdefs.ErrInUse) {
			return exitError{err, 2}
		}
		if errors.Is(one, unknown) {
			missing++
		}
	}
	if missing == len(errs) {
		return exitError{err, 1}
	}
	return err
}

// exitError is an error that exits burrow with its own code, printed as
// burrow's errors are.
type exitError struct {
	err  error
	code int
}

func (e exitError) Error() string { return e.err.Error() }
func (e exitError) Unwrap() error { return e.err }
func (e exitError) ExitCode() int { return e.code }

func waitCommand() *cli.Command {
	s := selection{ignore: true, longOnly: true, want: anyContainer}
	return &cli.Command{
		Name: "wait", Usage: "wait for containers to stop (or reach --condition) and print their exit codes", ArgsUsage: "CONTAINER...",
		Flags: append(s.flags(),
			&cli.StringSliceFlag{Name: "condition", Usage: "stopped (the default, also exited), running, paused, created, healthy or unhealthy"},
			&cli.DurationFlag{Name: "interval", Aliases: []string{"i"}, Value: 250 * time.Millisecond, Usage: "how often to look for a condition other than stopped"}),
		Action: func(c *cli.Context) error {
			conds := c.StringSlice("condition")
			for _, cond := range conds {
				if !waitConditions[cond] {
					return fmt.Errorf("%w: --condition %q (want stopped, exited, running, paused, created, healthy or unhealthy)", errdefs.ErrInvalidArgument, cond)
				}
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			refs, err := s.refs(c, e, "wait")
			if err != nil {
				return err
			}
			for _, ref := range refs {
				code, err := waitOne(c, e, ref, conds)
				if c.Bool("ignore") && errors.Is(err, errdefs.ErrContainerUnknown) {
					fmt.Println(-1)
					continue
				}
				if err != nil {
					return err
				}
				fmt.Println(code)
			}
			return nil
		},
	}
}

var waitConditions = map[string]bool{"stopped": true, "exited": true, "running": true, "paused": true, "created": true, "healthy": true, "unhealthy": true}

// waitOne waits for the container to stop (its exit code) or to reach one
// of conds (-1, as podman prints).
func waitOne(c *cli.Context, e *engine.Engine, ref string, conds []string) (int, error) {
	if len(conds) == 0 || slices.Contains(conds, "stopped") || slices.Contains(conds, "exited") {
		return e.Wait(ref)
	}
	for {
		ctr, err := e.Container(ref)
		if err != nil {
			return 0, err
		}
		state := ctr.Status()
		if ctr.Health != nil && (ctr.Health.Status == "healthy" || ctr.Health.Status == "unhealthy") {
			state = ctr.Health.Status
		}
		if slices.Contains(conds, state) || slices.Contains(conds, ctr.Status()) {
			return -1, nil
		}
		select {
		case <-c.Context.Done():
			return 0, c.Context.Err()
		case <-time.After(c.Duration("interval")):
		}
	}
}

var latestFlag = &cli.BoolFlag{Name: "latest", Aliases: []string{"l"}, Usage: "the newest container instead of a name"}

// targetArgs splits a verb's arguments into its container and the rest:
// with --latest the container is the newest one and every argument is the
// rest.
func targetArgs(c *cli.Context, e *engine.Engine) (string, []string, error) {
	args := c.Args().Slice()
	if !c.Bool("latest") {
		if len(args) == 0 {
			return "", nil, fmt.Errorf("%w: %s needs a container (or --latest)", errdefs.ErrInvalidArgument, c.Command.Name)
		}
		return args[0], args[1:], nil
	}
	all, err := e.Containers()
	if err != nil {
		return "", nil, err
	}
	if len(all) == 0 {
		return "", nil, fmt.Errorf("--latest: there are no containers: %w", errdefs.ErrContainerUnknown)
	}
	return newest(all).ID, args, nil
}

func newest(ctrs []engine.Container) engine.Container {
	n := ctrs[0]
	for _, ctr := range ctrs[1:] {
		if ctr.Record.Created.After(n.Record.Created) {
			n = ctr
		}
	}
	return n
}
