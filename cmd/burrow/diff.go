package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/urfave/cli/v2"
)

// oneContainer opens the session and finds the single container a verb names.
func oneContainer(c *cli.Context, verb string, args int) (*session, lifecycle.Container, error) {
	if c.NArg() < args {
		return nil, lifecycle.Container{}, fmt.Errorf("%w: %s needs a container", errdefs.ErrInvalidArgument, verb)
	}
	sess, err := openSession(c)
	if err != nil {
		return nil, lifecycle.Container{}, err
	}
	ctr, err := lifecycle.Find(sess.store, sess.paths.RunRoot, c.Args().First())
	if err != nil {
		sess.close()
		return nil, ctr, err
	}
	return sess, ctr, nil
}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name: "diff", Usage: "list files changed in a container's filesystem (A added, C changed, D deleted)", ArgsUsage: "CONTAINER",
		Action: func(c *cli.Context) error {
			sess, ctr, err := oneContainer(c, "diff", 1)
			if err != nil {
				return err
			}
			defer sess.close()
			stored, err := sess.store.Container(ctr.ID)
			if err != nil {
				return err
			}
			changes, err := sess.store.Changes("", stored.LayerID)
			if err != nil {
				return fmt.Errorf("diff %s: %w", ctr.Record.Name, err)
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
			sess, ctr, err := oneContainer(c, "top", 1)
			if err != nil {
				return err
			}
			defer sess.close()
			if !ctr.Running {
				return fmt.Errorf("container %s is not running: %w", ctr.Record.Name, errdefs.ErrInvalidArgument)
			}
			pids, err := pidsInNamespace(ctr.Pid)
			if err != nil {
				return err
			}
			format := []string{"-o", "uid,pid,ppid,c,stime,tty,time,cmd"}
			if c.NArg() > 1 {
				format = c.Args().Tail()
			}
			cmd := exec.Command("ps", append(format, "-p", strings.Join(pids, ","))...)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd.Run()
		},
	}
}

// pidsInNamespace lists the host pids that share pid's PID namespace.
func pidsInNamespace(pid int) ([]string, error) {
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return nil, fmt.Errorf("read the container's PID namespace: %w", err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []string
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		if ns, err := os.Readlink("/proc/" + e.Name() + "/ns/pid"); err == nil && ns == want {
			pids = append(pids, e.Name())
		}
	}
	return pids, nil
}
