package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/urfave/cli/v2"
)

func createCommand() *cli.Command {
	return &cli.Command{
		Name:      "create",
		Usage:     "create a container without starting it",
		ArgsUsage: "IMAGE [COMMAND [ARG...]]",
		Flags:     runCommand().Flags,
		Action: func(c *cli.Context) error {
			opt, err := runOptions(c)
			if err != nil {
				return err
			}
			sess, err := openSession(c)
			if err != nil {
				return err
			}
			defer sess.close()
			if opt.Networks, err = resolveNetworks(c, sess, opt.Network); err != nil {
				return err
			}
			if err := ensureImage(c, sess, opt.Image); err != nil {
				return err
			}
			id, err := lifecycle.Create(sess.store, sess.paths.RunRoot, opt.CreateOpt)
			if err != nil {
				return err
			}
			fmt.Println(id)
			return writeCIDFile(c, id)
		},
	}
}

// writeCIDFile writes the ID for --cidfile; like docker it refuses to
// overwrite a file that exists.
func writeCIDFile(c *cli.Context, id string) error {
	path := c.String("cidfile")
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("--cidfile: %w", err)
	}
	defer f.Close()
	_, err = f.WriteString(id)
	return err
}

func startCommand() *cli.Command {
	return &cli.Command{
		Name: "start", Usage: "start stopped containers", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "attach", Aliases: []string{"a"}, Usage: "stay attached to the container's output and return its exit code"},
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "with -a: connect stdin"},
		},
		Action: func(c *cli.Context) error {
			if c.Bool("attach") {
				return startAttached(c)
			}
			return eachContainer(c, "start", func(s *session, ctr lifecycle.Container) error {
				_, err := lifecycle.Start(s.store, s.paths.RunRoot, ctr, false, false)
				return err
			})
		},
	}
}

func startAttached(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: start -a takes one container", errdefs.ErrInvalidArgument)
	}
	sess, ctr, err := oneContainer(c, "start", 1)
	if err != nil {
		return err
	}
	defer sess.close()
	code, err := lifecycle.Start(sess.store, sess.paths.RunRoot, ctr, true, c.Bool("interactive"))
	if err != nil {
		return err
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}

func restartCommand() *cli.Command {
	return &cli.Command{
		Name: "restart", Usage: "stop and start containers", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 10, Usage: "seconds to wait before SIGKILL"}},
		Action: func(c *cli.Context) error {
			timeout := time.Duration(c.Int("time")) * time.Second
			return eachContainer(c, "restart", func(s *session, ctr lifecycle.Container) error {
				if err := lifecycle.Stop(s.store, s.paths.RunRoot, ctr, timeout); err != nil {
					return err
				}
				ctr, err := lifecycle.Find(s.store, s.paths.RunRoot, ctr.ID)
				if err != nil {
					return err
				}
				_, err = lifecycle.Start(s.store, s.paths.RunRoot, ctr, false, false)
				return err
			})
		},
	}
}

func renameCommand() *cli.Command {
	return &cli.Command{
		Name: "rename", Usage: "rename a container", ArgsUsage: "CONTAINER NEW_NAME",
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return fmt.Errorf("%w: rename needs CONTAINER and NEW_NAME", errdefs.ErrInvalidArgument)
			}
			if err := lifecycle.CheckName(c.Args().Get(1)); err != nil {
				return err
			}
			sess, ctr, err := oneContainer(c, "rename", 1)
			if err != nil {
				return err
			}
			defer sess.close()
			return lifecycle.Rename(sess.store, ctr, c.Args().Get(1))
		},
	}
}

func pruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove all stopped containers",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask (burrow never asks)"}},
		Action: func(c *cli.Context) error {
			sess, err := openSession(c)
			if err != nil {
				return err
			}
			defer sess.close()
			all, err := lifecycle.List(sess.store, sess.paths.RunRoot)
			if err != nil {
				return err
			}
			var errs []error
			for _, ctr := range all {
				if ctr.Owned {
					continue
				}
				if err := lifecycle.Remove(sess.store, sess.paths.RunRoot, ctr, false); err != nil {
					errs = append(errs, err)
					continue
				}
				fmt.Println(ctr.ID)
			}
			return errors.Join(errs...)
		},
	}
}

// containerGroup is `burrow container VERB`, docker's long forms.
func containerGroup() *cli.Command {
	return &cli.Command{
		Name: "container", Usage: "manage containers",
		Subcommands: []*cli.Command{
			pruneCommand(), renameCommand(), startCommand(), restartCommand(), createCommand(),
			rename(psCommand(), "ls"), stopCommand(), killCommand(), rmCommand(), waitCommand(),
			logsCommand(), execCommand(), inspectCommand(), diffCommand(), topCommand(), cpCommand(), attachCommand(),
		},
	}
}

func rename(cmd *cli.Command, name string) *cli.Command {
	cmd.Aliases = append(cmd.Aliases, cmd.Name)
	cmd.Name = name
	return cmd
}

// parseLabels turns --label k=v values into a map.
func parseLabels(values []string) (map[string]string, error) {
	if len(values) == 0 {
		return nil, nil
	}
	labels := map[string]string{}
	for _, v := range values {
		k, val, _ := strings.Cut(v, "=")
		if k == "" {
			return nil, fmt.Errorf("%w: label %q", errdefs.ErrInvalidArgument, v)
		}
		labels[k] = val
	}
	return labels, nil
}
