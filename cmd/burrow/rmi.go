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
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "every image"},
			&cli.BoolFlag{Name: "ignore", Aliases: []string{"i"}, Usage: "no error for an image that does not exist"},
			&cli.BoolFlag{Name: "no-prune", Usage: "keep untagged parent images: burrow's images have none, so nothing more goes either way"},
		},
		Action: rmiAction,
	}
}

func rmiAction(c *cli.Context) error {
	if c.Bool("all") == (c.NArg() > 0) {
		return fmt.Errorf("%w: rmi needs images or --all", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	refs := c.Args().Slice()
	if c.Bool("all") {
		images, err := e.Images()
		if err != nil {
			return err
		}
		for _, img := range images {
			refs = append(refs, img.ID)
		}
	}
	var errs []error
	for _, ref := range refs {
		removed, err := e.RemoveImage(ref, c.Bool("force"))
		if c.Bool("ignore") && errors.Is(err, errdefs.ErrImageUnknown) {
			continue
		}
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
	return withRemoveExitCode(errors.Join(errs...), errdefs.ErrImageUnknown)
}
