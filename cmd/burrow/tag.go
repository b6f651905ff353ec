package main

import (
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/store"
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
	var names []string
	for _, n := range c.Args().Tail() {
		full, err := store.Normalize(n)
		if err != nil {
			return err
		}
		names = append(names, full)
	}
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	img, err := store.FindImage(sess.store, c.Args().First())
	if err != nil {
		return err
	}
	// The store moves a name that another image had to this one.
	if err := sess.store.AddNames(img.ID, names); err != nil {
		return fmt.Errorf("tag %s: %w", c.Args().First(), err)
	}
	return nil
}
