package main

import (
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func systemGroup() *cli.Command {
	return &cli.Command{
		Name: "system", Usage: "burrow itself",
		Subcommands: []*cli.Command{serviceCommand(), infoCommand(), systemPruneCommand(), systemDFCommand(), systemResetCommand(), systemMigrateCommand()},
	}
}

func serviceCommand() *cli.Command {
	return &cli.Command{
		Name:      "service",
		Usage:     "serve the Docker Engine API (docker CLI, compose, SDKs) in the foreground",
		ArgsUsage: "[unix:///PATH | tcp://HOST:PORT]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 5, Usage: "exit after this many idle seconds (0: never)"},
		},
		Action: serviceAction,
	}
}

func serviceAction(c *cli.Context) error {
	if c.NArg() > 1 {
		return fmt.Errorf("%w: service takes at most one address", errdefs.ErrInvalidArgument)
	}
	return serve(c)
}
