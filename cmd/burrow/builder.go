package main

import (
	"fmt"

	"github.com/docker/go-units"
	"github.com/urfave/cli/v2"
)

// builderCommand is docker's "builder" group. Its prune reclaims what
// image prune cannot: the RUN --mount=type=cache directories. The layer
// cache is ordinary unnamed images, which image prune removes.
func builderCommand() *cli.Command {
	return &cli.Command{
		Name: "builder", Usage: "the build cache",
		Subcommands: []*cli.Command{{
			Name: "prune", Usage: "remove the RUN --mount=type=cache directories no build is using",
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "accepted for docker's sake: every unused cache directory goes either way"},
				&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask (burrow never asks)"},
			},
			Action: func(c *cli.Context) error {
				e, err := openEngine(c)
				if err != nil {
					return err
				}
				defer e.Close()
				_, freed, err := e.PruneBuildCache()
				if err != nil {
					return err
				}
				fmt.Printf("Total reclaimed space: %s\n", units.HumanSizeWithPrecision(float64(freed), 3))
				return nil
			},
		}},
	}
}
