package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/imageio"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/store"
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
		},
		Action: saveAction,
	}
}

func saveAction(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: save needs at least one image", errdefs.ErrInvalidArgument)
	}
	out := c.String("output")
	if out == "" && term.IsTerminal(int(os.Stdout.Fd())) {
		return fmt.Errorf("%w: refusing to write an archive to a terminal: use -o FILE or a pipe", errdefs.ErrInvalidArgument)
	}
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	var items []imageio.SaveItem
	for _, ref := range c.Args().Slice() {
		img, err := store.FindImage(sess.store, ref)
		if err != nil {
			return err
		}
		name := matchedName(img, ref)
		if name == "" && len(img.Names) > 0 {
			name = img.Names[0]
		}
		items = append(items, imageio.SaveItem{ID: img.ID, Name: name})
	}
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
	if err := imageio.Save(c.Context, sess.store, items, path, c.String("format"), report); err != nil {
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
			sess, ctr, err := oneContainer(c, "export", 1)
			if err != nil {
				return err
			}
			defer sess.close()
			return lifecycle.WithRoot(sess.store, ctr, func(root string) error { return imageio.Export(root, out) })
		},
	}
}

func historyCommand() *cli.Command {
	return &cli.Command{
		Name: "history", Usage: "show how an image was built", ArgsUsage: "IMAGE",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only the creating commands"}},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("%w: history needs one image", errdefs.ErrInvalidArgument)
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
			cfg, err := store.Config(sess.store, img)
			if err != nil {
				return err
			}
			fmt.Println("CREATED\tCREATED BY\tCOMMENT")
			for i := len(cfg.History) - 1; i >= 0; i-- {
				h := cfg.History[i]
				created := "<unknown>"
				if h.Created != nil {
					created = ago(*h.Created)
				}
				fmt.Printf("%s\t%s\t%s\n", created, h.CreatedBy, h.Comment)
			}
			return nil
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
			sess, err := openSession(c)
			if err != nil {
				return err
			}
			defer sess.close()
			images, err := sess.store.Images()
			if err != nil {
				return err
			}
			used := map[string]bool{}
			ctrs, err := sess.store.Containers()
			if err != nil {
				return err
			}
			for _, ctr := range ctrs {
				used[ctr.ImageID] = true
			}
			var errs []error
			for _, img := range images {
				if used[img.ID] || (len(img.Names) > 0 && !c.Bool("all")) {
					continue
				}
				if _, err := sess.store.DeleteImage(img.ID, true); err != nil {
					errs = append(errs, fmt.Errorf("remove %s: %w", img.ID[:12], err))
					continue
				}
				fmt.Println(img.ID)
			}
			return errors.Join(errs...)
		},
	}
}
