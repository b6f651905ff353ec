package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	units "github.com/docker/go-units"
	"github.com/urfave/cli/v2"
)

// systemPruneCommand is `system prune`: stopped containers, then the
// images (dangling, or with -a every unused one) and networks nobody uses.
func systemPruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove stopped containers, unused networks and dangling images (-a: every unused image)",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "every image no container uses, not only dangling ones"},
			&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask (burrow never asks)"},
			&cli.BoolFlag{Name: "volumes", Usage: "also volumes no container uses (refused until burrow has volumes)"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("volumes") {
				return fmt.Errorf("%w: --volumes: this burrow has no volumes to prune", errdefs.ErrInvalidArgument)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			var errs []error
			report := func(title string, removed []string, err error) {
				if len(removed) > 0 {
					fmt.Println(title)
					for _, r := range removed {
						fmt.Println(r)
					}
				}
				errs = append(errs, err)
			}
			ctrs, err := e.Prune()
			report("Deleted Containers", ctrs, err)
			nets, err := e.PruneNetworks()
			report("Deleted Networks", nets, err)
			images, err := e.PruneImages(c.Bool("all"))
			report("Deleted Images", images, err)
			return errors.Join(errs...)
		},
	}
}

// dfRow is one line of `system df`, with podman's field names.
type dfRow struct {
	Type              string
	Total, Active     int
	Size, Reclaimable string
	size, reclaimable int64
}

func systemDFCommand() *cli.Command {
	return &cli.Command{
		Name: "df", Usage: "show how many images and containers there are and how much space the images take",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Usage: "json or a Go template, e.g. '{{.Type}} {{.Size}}'"}},
		Action: func(c *cli.Context) error {
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			images, err := e.Images()
			if err != nil {
				return err
			}
			ctrs, err := e.Containers()
			if err != nil {
				return err
			}
			used := map[string]bool{}
			active := 0
			for _, ctr := range ctrs {
				used[ctr.Record.ImageID] = true
				if ctr.Running {
					active++
				}
			}
			img := dfRow{Type: "Images", Total: len(images)}
			for _, i := range images {
				img.size += i.Size
				if used[i.ID] {
					img.Active++
				} else {
					img.reclaimable += i.Size
				}
			}
			img.Size, img.Reclaimable = units.HumanSize(float64(img.size)), units.HumanSize(float64(img.reclaimable))
			ctr := dfRow{Type: "Containers", Total: len(ctrs), Active: active, Size: "-", Reclaimable: "-"}
			return writeList([]dfRow{img, ctr}, listFormat{
				format: c.String("format"),
				table:  "table {{.Type}}\t{{.Total}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}",
			})
		},
	}
}

// systemResetCommand is `system reset`: every container (killed), image
// and user-defined network goes, after a confirmation unless --force.
func systemResetCommand() *cli.Command {
	return &cli.Command{
		Name: "reset", Usage: "remove every container, image and network of this user (asks first unless -f)",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask"}},
		Action: func(c *cli.Context) error {
			if !c.Bool("force") {
				fmt.Fprint(os.Stderr, "This removes every container (running ones are killed), image and network of yours.\nAre you sure you want to continue? [y/N] ")
				answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					return nil
				}
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			var errs []error
			ctrs, err := e.Containers()
			errs = append(errs, err)
			for _, ctr := range ctrs {
				errs = append(errs, e.Remove(ctr.ID, engine.RemoveOptions{Force: true}))
			}
			_, err = e.PruneNetworks()
			errs = append(errs, err)
			images, err := e.Images()
			errs = append(errs, err)
			for _, img := range images {
				if _, err := e.RemoveImage(img.ID, true); err != nil && !errors.Is(err, errdefs.ErrImageUnknown) {
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		},
	}
}

// systemMigrateCommand is `system migrate`: podman's meaning, stop the
// running containers and restart the user-namespace holder so that edits
// to /etc/subuid and /etc/subgid take effect.
func systemMigrateCommand() *cli.Command {
	return &cli.Command{
		Name: "migrate", Usage: "stop running containers and restart the user namespace, so /etc/subuid and /etc/subgid changes apply",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "new-runtime", Usage: "refused: burrow is its own runtime"},
			&cli.DurationFlag{Name: "timeout", Value: engine.DefaultMigrateTimeout, Usage: "how long to wait for other burrow commands (events, builds) to end (burrow's own)"},
		},
		Action: func(c *cli.Context) error {
			if isSet(c, "new-runtime") {
				return fmt.Errorf("%w: --new-runtime: burrow runs containers itself and has no other runtime to move them to", errdefs.ErrInvalidArgument)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			_, err = e.Migrate(c.Duration("timeout"))
			return err
		},
	}
}
