package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/store"
	"github.com/urfave/cli/v2"
	"go.podman.io/storage"
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
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	var errs []error
	for _, ref := range c.Args().Slice() {
		if err := removeImage(sess.store, sess.paths.RunRoot, ref, c.Bool("force")); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func removeImage(s storage.Store, runRoot, ref string, force bool) error {
	img, err := store.FindImage(s, ref)
	if err != nil {
		return err
	}
	if name := matchedName(img, ref); name != "" && len(img.Names) > 1 && !force {
		if err := s.RemoveNames(img.ID, []string{name}); err != nil {
			return fmt.Errorf("untag %s: %w", name, err)
		}
		fmt.Println("Untagged: " + name)
		return nil
	}
	if force {
		if err := removeContainersOf(s, runRoot, img.ID); err != nil {
			return err
		}
	}
	if _, err := s.DeleteImage(img.ID, true); err != nil {
		if errors.Is(err, storage.ErrImageUsedByContainer) {
			return fmt.Errorf("image %s is in use by a container (remove it first, or use rmi -f): %w", ref, err)
		}
		return fmt.Errorf("remove image %s: %w", ref, err)
	}
	for _, n := range img.Names {
		fmt.Println("Untagged: " + n)
	}
	fmt.Println("Deleted: " + img.ID)
	return nil
}

// matchedName is the stored name that ref selected, if it named one.
func matchedName(img *storage.Image, ref string) string {
	for _, c := range store.Candidates(ref) {
		if slices.Contains(img.Names, c) {
			return c
		}
	}
	return ""
}

// removeContainersOf removes the image's containers as rm -f does: a
// running one is stopped by its owner, which takes its cgroup, network
// helper, monitor and run-time state along; storage alone would leave
// them running.
func removeContainersOf(s storage.Store, runRoot, imageID string) error {
	ctrs, err := lifecycle.List(s, runRoot)
	if err != nil {
		return err
	}
	for _, ctr := range ctrs {
		stored, err := s.Container(ctr.ID)
		if err != nil || stored.ImageID != imageID {
			continue
		}
		if err := lifecycle.Remove(s, runRoot, ctr, true); err != nil {
			return fmt.Errorf("remove container %s of the image: %w", ctr.ID[:12], err)
		}
	}
	return nil
}
