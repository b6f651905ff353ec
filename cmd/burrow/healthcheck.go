package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"
)

func healthcheckGroup() *cli.Command {
	return &cli.Command{
		Name: "healthcheck", Usage: "container healthchecks",
		Subcommands: []*cli.Command{{
			Name: "run", Usage: "run a container's healthcheck now; exit 0 when it passes, 1 when not", ArgsUsage: "CONTAINER",
			Action: func(c *cli.Context) error {
				e, ctr, err := oneContainer(c, "healthcheck run", 1)
				if err != nil {
					return err
				}
				defer e.Close()
				r, err := e.HealthCheck(ctr.ID)
				if err != nil {
					return err
				}
				if r.ExitCode != 0 {
					if r.Output != "" {
						fmt.Fprintln(os.Stderr, r.Output)
					}
					return statusError{1}
				}
				return nil
			},
		}},
	}
}
