package main

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func saveCommand() *cli.Command {
	return &cli.Command{
		Name: "save", Usage: "write images to an archive", ArgsUsage: "IMAGE...",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "file to write (default: stdout)"},
			&cli.StringFlag{Name: "format", Value: "docker-archive", Usage: "docker-archive or oci-archive"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress"},
			&cli.BoolFlag{Name: "multi-image-archive", Aliases: []string{"m"}, Usage: "several images in one docker-archive (burrow's save always takes each name as an image)"},
			&cli.BoolFlag{Name: "uncompressed", Usage: "layers as they are stored: both archive formats are uncompressed already"},
		},
		Action: saveAction,
	}
}

func saveAction(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: save needs at least one image", errdefs.ErrInvalidArgument)
	}
	if c.Bool("multi-image-archive") && c.String("format") != "docker-archive" {
		return fmt.Errorf("%w: --multi-image-archive needs --format docker-archive", errdefs.ErrInvalidArgument)
	}
	out := c.String("output")
	if out == "" && term.IsTerminal(int(os.Stdout.Fd())) {
		return fmt.Errorf("%w: refusing to write an archive to a terminal: use -o FILE or a pipe", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	path, tmp := out, ""
	if out == "" {
		f, err := os.CreateTemp("", "burrow-save-*.tar")
		if err != nil {
			return err
		}
		f.Close()
		os.Remove(f.Name()) // the archive writer creates it
		path, tmp = f.Name(), f.Name()
		defer os.Remove(tmp)
	}
	report := reportWriter(c)
	if err := e.Save(c.Context, c.Args().Slice(), path, c.String("format"), report); err != nil {
		os.Remove(path) // no half archive
		return err
	}
	if tmp != "" {
		return copyFileTo(tmp, os.Stdout)
	}
	return nil
}

func copyFileTo(path string, out *os.File) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteTo(out)
	return err
}

func exportCommand() *cli.Command {
	return &cli.Command{
		Name: "export", Usage: "write a container's filesystem as a tar", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "file to write (default: stdout)"}},
		Action: func(c *cli.Context) error {
			out := os.Stdout
			if path := c.String("output"); path != "" {
				f, err := os.Create(path)
				if err != nil {
					return err
				}
				defer f.Close()
				out = f
			} else if term.IsTerminal(int(os.Stdout.Fd())) {
				return fmt.Errorf("%w: refusing to write a tar to a terminal: use -o FILE or a pipe", errdefs.ErrInvalidArgument)
			}
			e, ctr, err := oneContainer(c, "export", 1)
			if err != nil {
				return err
			}
			defer e.Close()
			return e.Export(ctr.ID, out)
		},
	}
}

func imagePruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove dangling images (-a: every image no container uses)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "also named images no container uses"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask (burrow never asks)"},
		},
		Action: func(c *cli.Context) error {
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			removed, err := e.PruneImages(c.Bool("all"))
			for _, id := range removed {
				fmt.Println(id)
			}
			return err
		},
	}
}
