package main

import (
	"fmt"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
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
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			if err := replaceContainer(c, e); err != nil {
				return err
			}
			id, err := e.Create(c.Context, opt)
			if err != nil {
				return pullElsewhere(e, err)
			}
			fmt.Println(id)
			return nil
		},
	}
}

func startCommand() *cli.Command {
	return &cli.Command{
		Name: "start", Usage: "start stopped containers", ArgsUsage: "CONTAINER...",
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "attach", Aliases: []string{"a"}, Usage: "stay attached to the container's output and return its exit code"},
			&cli.BoolFlag{Name: "interactive", Aliases: []string{"i"}, Usage: "with -a: connect stdin"},
			detachKeysFlag,
		}, startSelection.flags()...),
		Action: func(c *cli.Context) error {
			if c.Bool("attach") {
				return startAttached(c)
			}
			return eachContainer(c, "start", startSelection, func(e *engine.Engine, ref string) error {
				_, err := e.Start(ref, engine.StartOptions{})
				return err
			})
		},
	}
}

var startSelection = selection{want: isStopped}

func startAttached(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: start -a takes one container", errdefs.ErrInvalidArgument)
	}
	keys, err := detachKeys(c)
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	code, err := e.Start(c.Args().First(), engine.StartOptions{Attach: true, Interactive: c.Bool("interactive"), DetachKeys: keys})
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
		Flags: append(restartSelection.flags(), timeFlag(),
			&cli.BoolFlag{Name: "running", Usage: "with --all: only the running containers"}),
		Action: func(c *cli.Context) error {
			s := restartSelection
			if c.Bool("running") {
				s.want = isRunning
			}
			return eachContainer(c, "restart", s, func(e *engine.Engine, ref string) error {
				return e.Restart(ref, stopTimeout(c))
			})
		},
	}
}

var restartSelection = selection{allShort: true, want: anyContainer}

func renameCommand() *cli.Command {
	return &cli.Command{
		Name: "rename", Usage: "rename a container", ArgsUsage: "CONTAINER NEW_NAME",
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return fmt.Errorf("%w: rename needs CONTAINER and NEW_NAME", errdefs.ErrInvalidArgument)
			}
			if err := engine.CheckName(c.Args().Get(1)); err != nil {
				return err
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			return e.Rename(c.Args().First(), c.Args().Get(1))
		},
	}
}

func pruneCommand() *cli.Command {
	return &cli.Command{
		Name: "prune", Usage: "remove all stopped containers",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask (burrow never asks)"}},
		Action: func(c *cli.Context) error {
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			removed, err := e.Prune()
			for _, id := range removed {
				fmt.Println(id)
			}
			return err
		},
	}
}

// containerGroup is `burrow container VERB`, docker's long forms.
func containerGroup() *cli.Command {
	return &cli.Command{
		Name: "container", Usage: "manage containers",
		Subcommands: []*cli.Command{
			pruneCommand(), renameCommand(), startCommand(), restartCommand(), createCommand(),
			withAliases(rename(psCommand(), "ls"), "list"), stopCommand(), killCommand(), rmCommand(), waitCommand(),
			logsCommand(), execCommand(), inspectCommand(), diffCommand(), topCommand(), cpCommand(), attachCommand(),
			runCommand(), containerExists(), commitCommand(), portCommand(), pauseCommand(true), pauseCommand(false),
			statsCommand(), updateCommand(), exportCommand(),
		},
	}
}

func withAliases(cmd *cli.Command, aliases ...string) *cli.Command {
	cmd.Aliases = append(cmd.Aliases, aliases...)
	return cmd
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
