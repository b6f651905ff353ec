package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// eachContainer runs fn for every named container, printing each name that
// succeeded, and joins the errors (docker's behaviour for stop, kill, rm).
func eachContainer(c *cli.Context, verb string, fn func(e *engine.Engine, ref string) error) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: %s needs at least one container", errdefs.ErrInvalidArgument, verb)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var errs []error
	for _, ref := range c.Args().Slice() {
		if err := fn(e, ref); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Println(ref)
	}
	return errors.Join(errs...)
}

func stopCommand() *cli.Command {
	return &cli.Command{
		Name: "stop", Usage: "stop running containers (stop signal, then SIGKILL after the timeout)", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 10, Usage: "seconds to wait before SIGKILL (default: the container's --stop-timeout, else 10)"}},
		Action: func(c *cli.Context) error {
			timeout := engine.ContainerStopTimeout
			if c.IsSet("time") {
				timeout = time.Duration(c.Int("time")) * time.Second
			}
			return eachContainer(c, "stop", func(e *engine.Engine, ref string) error {
				return e.Stop(ref, timeout)
			})
		},
	}
}

func killCommand() *cli.Command {
	return &cli.Command{
		Name: "kill", Usage: "send a signal to running containers", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{&cli.StringFlag{Name: "signal", Aliases: []string{"s"}, Value: "KILL", Usage: "signal name or number"}},
		Action: func(c *cli.Context) error {
			sig, err := engine.ParseSignal(c.String("signal"))
			if err != nil {
				return err
			}
			return eachContainer(c, "kill", func(e *engine.Engine, ref string) error {
				return e.Kill(ref, sig)
			})
		},
	}
}

func rmCommand() *cli.Command {
	return &cli.Command{
		Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill running containers first"},
			&cli.BoolFlag{Name: "volumes", Aliases: []string{"v"}, Usage: "remove the container's anonymous volumes too"},
		},
		Action: func(c *cli.Context) error {
			return eachContainer(c, "rm", func(e *engine.Engine, ref string) error {
				return e.Remove(ref, engine.RemoveOptions{Force: c.Bool("force"), Volumes: c.Bool("volumes")})
			})
		},
	}
}

func waitCommand() *cli.Command {
	return &cli.Command{
		Name: "wait", Usage: "wait for containers to stop and print their exit codes", ArgsUsage: "CONTAINER...",
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return fmt.Errorf("%w: wait needs at least one container", errdefs.ErrInvalidArgument)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			for _, ref := range c.Args().Slice() {
				code, err := e.Wait(ref)
				if err != nil {
					return err
				}
				fmt.Println(code)
			}
			return nil
		},
	}
}
