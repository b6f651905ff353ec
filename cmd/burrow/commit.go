package main

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func commitCommand() *cli.Command {
	return &cli.Command{
		Name: "commit", Usage: "make an image of a container's changes", ArgsUsage: "CONTAINER [IMAGE[:TAG]]",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "change", Aliases: []string{"c"}, Usage: "Dockerfile instruction: CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, STOPSIGNAL, VOLUME"},
			&cli.StringFlag{Name: "message", Aliases: []string{"m"}, Usage: "commit message"},
			&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Value: "oci", Usage: "the image's manifest: oci or docker"},
			&cli.StringFlag{Name: "author", Aliases: []string{"a"}, Usage: "author"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the image ID, without sha256:"},
			&cli.BoolFlag{Name: "pause", Aliases: []string{"p"}, Value: true, Usage: "freeze a running container while its changes are read"},
			&cli.StringFlag{Name: "iidfile", Usage: "write the image ID to this file"},
			&cli.BoolFlag{Name: "include-volumes", Usage: "make the container's -v and --mount destinations the image's VOLUMEs"},
			&cli.StringFlag{Name: "config", Usage: "merge docker's container configuration (JSON: Env, Cmd, Labels, ...) from this file into the image's"},
			&cli.BoolFlag{Name: "squash", Aliases: []string{"s"}, Usage: "one layer for the whole image: the base image's layers and the changes together"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 || c.NArg() > 2 {
				return fmt.Errorf("%w: commit needs CONTAINER [IMAGE]", errdefs.ErrInvalidArgument)
			}
			if err := engine.CheckChanges(c.StringSlice("change")); err != nil {
				return err
			}
			var config []byte
			if f := c.String("config"); f != "" {
				var err error
				if config, err = os.ReadFile(f); err != nil {
					return fmt.Errorf("%w: --config: %v", errdefs.ErrInvalidArgument, err)
				}
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			id, err := e.Commit(c.Args().First(), engine.CommitOptions{
				Name: c.Args().Get(1), Changes: c.StringSlice("change"), Message: c.String("message"), Author: c.String("author"),
				Pause: c.Bool("pause"), Format: c.String("format"), Config: config, IncludeVolumes: c.Bool("include-volumes"), Squash: c.Bool("squash"),
			})
			if err != nil {
				return err
			}
			if f := c.String("iidfile"); f != "" {
				if err := os.WriteFile(f, []byte("sha256:"+id), 0o644); err != nil {
					return fmt.Errorf("--iidfile: %w", err)
				}
			}
			if c.Bool("quiet") {
				fmt.Println(id) // podman's -q: the bare ID, for $(...)
				return nil
			}
			fmt.Println("sha256:" + id)
			return nil
		},
	}
}
