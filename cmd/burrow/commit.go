package main

import (
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/imageio"
	"github.com/urfave/cli/v2"
)

func commitCommand() *cli.Command {
	return &cli.Command{
		Name: "commit", Usage: "make an image of a container's changes", ArgsUsage: "CONTAINER [IMAGE[:TAG]]",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "change", Aliases: []string{"c"}, Usage: "Dockerfile instruction: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE"},
			&cli.StringFlag{Name: "message", Aliases: []string{"m"}, Usage: "commit message"},
			&cli.StringFlag{Name: "author", Aliases: []string{"a"}, Usage: "author"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return fmt.Errorf("%w: commit needs CONTAINER [IMAGE]", errdefs.ErrInvalidArgument)
			}
			if err := imageio.ApplyChanges(new(imageio.Config), c.StringSlice("change")); err != nil {
				return err
			}
			sess, ctr, err := oneContainer(c, "commit", 1)
			if err != nil {
				return err
			}
			defer sess.close()
			id, err := imageio.Commit(sess.store, ctr.ID, imageio.CommitOpt{
				Name: c.Args().Get(1), Changes: c.StringSlice("change"), Message: c.String("message"), Author: c.String("author"),
			})
			if err != nil {
				return err
			}
			fmt.Println("sha256:" + id)
			return nil
		},
	}
}
