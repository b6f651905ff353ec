package main

import (
	"errors"
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func rmiCommand() *cli.Command {
	return &cli.Command{
		Name:      "rmi",
		Usage:     "remove images (a name only untags an image that has others)",
		ArgsUsage: "IMAGE...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "also remove containers using the image and all its names"},
		},
		Action: rmiAction,
	}
}

func rmiAction(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: rmi needs at least one image", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var errs []error
	for _, ref := range c.Args().Slice() {
		removed, err := e.RemoveImage(ref, c.Bool("force"))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, n := range removed.Untagged {
			fmt.Println("Untagged: " + n)
		}
		if removed.Deleted != "" {
			fmt.Println("Deleted: " + removed.Deleted)
		}
	}
	return errors.Join(errs...)
}
