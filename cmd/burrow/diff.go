package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// oneContainer opens the engine and finds the single container a verb names.
func oneContainer(c *cli.Context, verb string, args int) (*engine.Engine, engine.Container, error) {
	if c.NArg() < args {
		return nil, engine.Container{}, fmt.Errorf("%w: %s needs a container", errdefs.ErrInvalidArgument, verb)
	}
	e, err := openEngine(c)
	if err != nil {
		return nil, engine.Container{}, err
	}
	ctr, err := e.Container(c.Args().First())
	if err != nil {
		e.Close()
		return nil, ctr, err
	}
	return e, ctr, nil
}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name: "diff", Usage: "list files changed in a container's filesystem (A added, C changed, D deleted)", ArgsUsage: "CONTAINER",
		Action: func(c *cli.Context) error {
			e, ctr, err := oneContainer(c, "diff", 1)
			if err != nil {
				return err
			}
			defer e.Close()
			changes, err := e.Diff(ctr.ID)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				fmt.Println(ch.String())
			}
			return nil
		},
	}
}

func topCommand() *cli.Command {
	return &cli.Command{
		Name: "top", Usage: "list a running container's processes (host ps columns)", ArgsUsage: "CONTAINER [ps OPTIONS]",
		Action: func(c *cli.Context) error {
			e, ctr, err := oneContainer(c, "top", 1)
			if err != nil {
				return err
			}
			defer e.Close()
			pids, err := e.Top(ctr.ID)
			if err != nil {
				return err
			}
			format := []string{"-o", "uid,pid,ppid,c,stime,tty,time,cmd"}
			if c.NArg() > 1 {
				format = c.Args().Tail()
			}
			list := make([]string, len(pids))
			for i, p := range pids {
				list[i] = strconv.Itoa(p)
			}
			cmd := exec.Command("ps", append(format, "-p", strings.Join(list, ","))...)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd.Run()
		},
	}
}
