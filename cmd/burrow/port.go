package main

import (
	"fmt"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func portCommand() *cli.Command {
	return &cli.Command{
		Name: "port", Usage: "list a container's published ports, or the host address of one", ArgsUsage: "CONTAINER [PRIVATE_PORT[/PROTO]]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "every running container's ports, each under its ID"},
			latestFlag,
		},
		Action: func(c *cli.Context) error {
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			if c.Bool("all") {
				if c.NArg() > 0 || c.Bool("latest") {
					return fmt.Errorf("%w: port --all takes no container or port", errdefs.ErrInvalidArgument)
				}
				return allPorts(e)
			}
			ref, rest, err := targetArgs(c, e)
			if err != nil {
				return err
			}
			ctr, err := e.Container(ref)
			if err != nil {
				return err
			}
			if len(rest) > 1 {
				return fmt.Errorf("%w: port takes one PRIVATE_PORT[/PROTO]", errdefs.ErrInvalidArgument)
			}
			if len(rest) == 1 {
				return onePort(ctr, rest[0])
			}
			for _, p := range ctr.Record.Ports {
				fmt.Println(p.String())
			}
			return nil
		},
	}
}

func allPorts(e *engine.Engine) error {
	ctrs, err := e.Containers()
	if err != nil {
		return err
	}
	for _, ctr := range ctrs {
		if !ctr.Running || len(ctr.Record.Ports) == 0 {
			continue
		}
		fmt.Println(ctr.ID)
		for _, p := range ctr.Record.Ports {
			fmt.Println(p.String())
		}
	}
	return nil
}

// onePort prints the host addresses a private port (tcp unless named) is
// published on; none is an error, as in docker.
func onePort(ctr engine.Container, want string) error {
	port, proto, _ := strings.Cut(want, "/")
	if proto == "" {
		proto = "tcp"
	}
	found := false
	for _, p := range ctr.Record.Ports {
		if fmt.Sprint(p.ContainerPort) == port && p.Proto == proto {
			host, _ := strings.CutPrefix(p.String(), fmt.Sprintf("%d/%s -> ", p.ContainerPort, p.Proto))
			fmt.Println(host)
			found = true
		}
	}
	if !found {
		return fmt.Errorf("%w: container %s publishes no port %s/%s", errdefs.ErrInvalidArgument, ctr.Record.Name, port, proto)
	}
	return nil
}
