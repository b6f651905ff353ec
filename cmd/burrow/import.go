package main

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "make a one-layer image from a root filesystem tarball (file or - for stdin)",
		ArgsUsage: "TARBALL [NAME[:TAG]]",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "change", Aliases: []string{"c"}, Usage: "Dockerfile instruction: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE"},
			&cli.StringFlag{Name: "message", Aliases: []string{"m"}, Usage: "description of the image"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress"},
		},
		Action: importAction,
	}
}

func importAction(c *cli.Context) error {
	if c.NArg() < 1 || c.NArg() > 2 {
		return fmt.Errorf("%w: import needs TARBALL [NAME[:TAG]]", errdefs.ErrInvalidArgument)
	}
	path := c.Args().Get(0)
	if path != "-" {
		if _, err := os.Stat(path); err != nil {
			return fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
		}
	}
	opt := engine.ImportOptions{Path: path, Name: c.Args().Get(1), Changes: c.StringSlice("change"), Message: c.String("message")}
	// Check the changes before the (possibly long) copy.
	if err := engine.CheckChanges(opt.Changes); err != nil {
		return err
	}
	// Enter the namespace before reading stdin: openSession may re-execute
	// this command, and the new process must still find stdin unread.
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	if path == "-" {
		tmp, err := spoolStdin()
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		opt.Path = tmp
	}
	id, err := e.Import(c.Context, opt, reportWriter(c))
	if err != nil {
		return err
	}
	fmt.Println("sha256:" + id)
	return nil
}
