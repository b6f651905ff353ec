package main

import (
	"fmt"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func tagCommand() *cli.Command {
	return &cli.Command{
		Name:      "tag",
		Usage:     "give an image more names",
		ArgsUsage: "IMAGE NAME[:TAG]...",
		Action:    tagAction,
	}
}

func tagAction(c *cli.Context) error {
	if c.NArg() < 2 {
		return fmt.Errorf("%w: tag needs IMAGE and at least one NAME[:TAG]", errdefs.ErrInvalidArgument)
	}
	for _, n := range c.Args().Tail() {
		if _, err := engine.NormalizeName(n); err != nil {
			return err
		}
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	return e.Tag(c.Args().First(), c.Args().Tail()...)
}

func untagCommand() *cli.Command {
	return &cli.Command{
		Name:      "untag",
		Usage:     "remove names from an image (every name when none are given); the image stays",
		ArgsUsage: "IMAGE [NAME[:TAG]...]",
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return fmt.Errorf("%w: untag needs IMAGE", errdefs.ErrInvalidArgument)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			_, err = e.Untag(c.Args().First(), c.Args().Tail()...)
			return err
		},
	}
}
