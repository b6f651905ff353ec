package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func portCommand() *cli.Command {
	return &cli.Command{
		Name: "port", Usage: "list a container's published ports", ArgsUsage: "CONTAINER",
		Action: func(c *cli.Context) error {
			e, ctr, err := oneContainer(c, "port", 1)
			if err != nil {
				return err
			}
			defer e.Close()
			for _, p := range ctr.Record.Ports {
				fmt.Println(p.String())
			}
			return nil
		},
	}
}
