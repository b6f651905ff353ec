package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func execCommand() *cli.Command {
	return &cli.Command{
		Name:      "exec",
		Usage:     "run a command in a running container",
		ArgsUsage: "CONTAINER COMMAND [ARG...]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "keep stdin open"},
			&cli.BoolFlag{Name: "tty", Aliases: []string{"t"}, Usage: "allocate a pseudo-terminal"},
			&cli.StringSliceFlag{Name: "env", Aliases: []string{"e"}, Usage: "set environment variables"},
			&cli.StringSliceFlag{Name: "env-file", Usage: "read environment variables from a file"},
			latestFlag, detachKeysFlag,
			&cli.BoolFlag{Name: "detach", Aliases: []string{"d"}, Usage: "run the command in the background and return at once"},
			&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "user[:group]"},
			&cli.UintFlag{Name: "preserve-fds", Usage: "pass descriptors 3 .. 3+N-1 on to the command"},
			preserveFDFlag,
			&cli.BoolFlag{Name: "no-session", Usage: "accepted: burrow keeps no record of exec sessions anyway"},
			&cli.StringFlag{Name: "cidfile", Usage: "read the container's ID from this file (then COMMAND is all the arguments)"},
			&cli.BoolFlag{Name: "privileged", Usage: "every capability of burrow's user namespace for this command (the container's seccomp filter stays)"},
			&cli.StringSliceFlag{Name: "cap-add", Usage: "add a capability for this command"},
			&cli.StringSliceFlag{Name: "cap-drop", Usage: "drop a capability for this command"},
		},
		Action: execAction,
	}
}

func execAction(c *cli.Context) error {
	keys, err := detachKeys(c)
	if err != nil {
		return err
	}
	env, err := collectEnv(c)
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	ref, command, err := execTarget(c, e)
	if err != nil {
		return err
	}
	fds, err := preserveFDs(c)
	if err != nil {
		return err
	}
	if len(command) == 0 {
		return fmt.Errorf("%w: exec needs CONTAINER and COMMAND", errdefs.ErrInvalidArgument)
	}
	if c.Bool("detach") {
		return execDetached(e, ref)
	}
	code, err := e.Exec(ref, engine.ExecOptions{
		Command: command, Env: env, Workdir: c.String("workdir"), User: c.String("user"),
		Interactive: c.Bool("interactive"), Terminal: c.Bool("tty"), PreserveFDs: int(c.Uint("preserve-fds")), PreserveFD: fds,
		CapAdd: c.StringSlice("cap-add"), CapDrop: c.StringSlice("cap-drop"), Privileged: c.Bool("privileged"),
		DetachKeys: keys,
	})
	if err != nil {
		return err
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}

// execDetached is exec -d: once the container is known to run, the same
// command line without -d runs in a new session of its own, its stdio on
// /dev/null, and outlives this one (as a detached container's monitor
// does).
func execDetached(e *engine.Engine, ref string) error {
	ctr, err := e.Container(ref)
	if err != nil {
		return err
	}
	if !ctr.Running {
		return fmt.Errorf("%w: container %s is not running", errdefs.ErrInvalidArgument, ctr.Record.Name)
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var args []string
	for i, a := range cmdline[1:] {
		if a == "--" {
			args = append(args, cmdline[1+i:]...)
			break
		}
		if a != "--detach" && a != "--detach=true" {
			args = append(args, a)
		}
	}
	cmd := exec.Command(self, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec -d: %w", err)
	}
	return cmd.Process.Release()
}

// execTarget is exec's container: --cidfile's ID, else what targetArgs
// finds.
func execTarget(c *cli.Context, e *engine.Engine) (string, []string, error) {
	path := c.String("cidfile")
	if path == "" {
		return targetArgs(c, e)
	}
	if c.Bool("latest") {
		return "", nil, fmt.Errorf("%w: --cidfile and --latest conflict", errdefs.ErrInvalidArgument)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", nil, fmt.Errorf("%w: --cidfile: %v", errdefs.ErrInvalidArgument, err)
	}
	id := strings.TrimSpace(string(data))
	if id == "" {
		return "", nil, fmt.Errorf("%w: --cidfile %s is empty", errdefs.ErrInvalidArgument, path)
	}
	return id, c.Args().Slice(), nil
}
