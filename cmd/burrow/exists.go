package main

import (
	"errors"
	"fmt"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// existsCommand is podman's `container exists` / `image exists`: exit 0
// when the object is there, 1 when it is not, 125 when burrow cannot tell.
func existsCommand(what string, lookup func(e *engine.Engine, ref string) error, unknown error) *cli.Command {
	return &cli.Command{
		Name: "exists", Usage: "exit 0 if the " + what + " exists, 1 if not", ArgsUsage: "NAME",
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("%w: exists takes one %s", errdefs.ErrInvalidArgument, what)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			err = lookup(e, c.Args().First())
			if errors.Is(err, unknown) {
				return statusError{1}
			}
			return err
		},
	}
}

func containerExists() *cli.Command {
	return existsCommand("container", func(e *engine.Engine, ref string) error {
		_, err := e.Container(ref)
		return err
	}, errdefs.ErrContainerUnknown)
}

func imageExists() *cli.Command {
	return existsCommand("image", func(e *engine.Engine, ref string) error {
		_, err := e.InspectImage(ref)
		return err
	}, errdefs.ErrImageUnknown)
}
