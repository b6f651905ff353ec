package main

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/ocispec"
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
			&cli.StringFlag{Name: "workdir", Aliases: []string{"w"}, Usage: "working directory"},
			&cli.StringFlag{Name: "user", Aliases: []string{"u"}, Usage: "user[:group]"},
			&cli.UintFlag{Name: "preserve-fds", Usage: "pass descriptors 3 .. 3+N-1 on to the command"},
		},
		Action: execAction,
	}
}

func execAction(c *cli.Context) error {
	if c.NArg() < 2 {
		return fmt.Errorf("%w: exec needs CONTAINER and COMMAND", errdefs.ErrInvalidArgument)
	}
	env, err := ocispec.ParseEnv(c.StringSlice("env"), os.LookupEnv)
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	code, err := e.Exec(c.Args().First(), engine.ExecOptions{
		Command: c.Args().Tail(), Env: env, Workdir: c.String("workdir"), User: c.String("user"),
		Interactive: c.Bool("interactive"), Terminal: c.Bool("tty"), PreserveFDs: int(c.Uint("preserve-fds")),
	})
	if err != nil {
		return err
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}
