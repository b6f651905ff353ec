package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func unshareCommand() *cli.Command {
	return &cli.Command{
		Name:            "unshare",
		Usage:           "run a command inside burrow's user namespace (default: your shell)",
		ArgsUsage:       "[COMMAND [ARG...]]",
		SkipFlagParsing: true,
		Action:          unshareAction,
	}
}

func unshareAction(c *cli.Context) error {
	if _, err := engine.Enter(warn); err != nil {
		return err
	}
	args := c.Args().Slice()
	if len(args) == 0 {
		shell := os.Getenv("SHELL")
		if shell == "" {
			shell = "/bin/sh"
		}
		args = []string{shell}
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		return statusError{errdefs.ExitNotFound}
	}
	if err := syscall.Exec(path, args, os.Environ()); err != nil {
		return fmt.Errorf("exec %s: %w", args[0], err)
	}
	return nil
}
