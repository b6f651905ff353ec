package main

import (
	"fmt"

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
			latestFlag,
			&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "user[:group]"},
			&cli.UintFlag{Name: "preserve-fds", Usage: "pass descriptors 3 .. 3+N-1 on to the command"},
			&cli.BoolFlag{Name: "privileged", Usage: "every capability of burrow's user namespace for this command (the container's seccomp filter stays)"},
			&cli.StringSliceFlag{Name: "cap-add", Usage: "add a capability for this command"},
			&cli.StringSliceFlag{Name: "cap-drop", Usage: "drop a capability for this command"},
		},
		Action: execAction,
	}
}

func execAction(c *cli.Context) error {
	env, err := collectEnv(c)
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	ref, command, err := targetArgs(c, e)
	if err != nil {
		return err
	}
	if len(command) == 0 {
		return fmt.Errorf("%w: exec needs CONTAINER and COMMAND", errdefs.ErrInvalidArgument)
	}
	code, err := e.Exec(ref, engine.ExecOptions{
		Command: command, Env: env, Workdir: c.String("workdir"), User: c.String("user"),
		Interactive: c.Bool("interactive"), Terminal: c.Bool("tty"), PreserveFDs: int(c.Uint("preserve-fds")),
		CapAdd: c.StringSlice("cap-add"), CapDrop: c.StringSlice("cap-drop"), Privileged: c.Bool("privileged"),
	})
	if err != nil {
		return err
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}
