package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/urfave/cli/v2"
)

// eachContainer runs fn for every named container, printing each name that
// succeeded, and joins the errors (docker's behaviour for stop, kill, rm).
func eachContainer(c *cli.Context, verb string, fn func(*session, lifecycle.Container) error) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: %s needs at least one container", errdefs.ErrInvalidArgument, verb)
	}
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	var errs []error
	for _, ref := range c.Args().Slice() {
		ctr, err := lifecycle.Find(sess.store, sess.paths.RunRoot, ref)
		if err == nil {
			err = fn(sess, ctr)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Println(ref)
	}
	return errors.Join(errs...)
}

func stopCommand() *cli.Command {
	return &cli.Command{
		Name: "stop", Usage: "stop running containers (stop signal, then SIGKILL after the timeout)", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 10, Usage: "seconds to wait before SIGKILL (default: the container's --stop-timeout, else 10)"}},
		Action: func(c *cli.Context) error {
			timeout := time.Duration(-1) // the container's --stop-timeout
			if c.IsSet("time") {
				timeout = time.Duration(c.Int("time")) * time.Second
			}
			return eachContainer(c, "stop", func(s *session, ctr lifecycle.Container) error {
				return lifecycle.Stop(s.store, s.paths.RunRoot, ctr, timeout)
			})
		},
	}
}

func killCommand() *cli.Command {
	return &cli.Command{
		Name: "kill", Usage: "send a signal to running containers", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{&cli.StringFlag{Name: "signal", Aliases: []string{"s"}, Value: "KILL", Usage: "signal name or number"}},
		Action: func(c *cli.Context) error {
			sig, err := lifecycle.ParseSignal(c.String("signal"))
			if err != nil {
				return err
			}
			return eachContainer(c, "kill", func(s *session, ctr lifecycle.Container) error {
				return lifecycle.Kill(s.paths.RunRoot, ctr, sig)
			})
		},
	}
}

func rmCommand() *cli.Command {
	return &cli.Command{
		Name: "rm", Usage: "remove containers", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "kill running containers first"}},
		Action: func(c *cli.Context) error {
			return eachContainer(c, "rm", func(s *session, ctr lifecycle.Container) error {
				return lifecycle.Remove(s.store, s.paths.RunRoot, ctr, c.Bool("force"))
			})
		},
	}
}

func waitCommand() *cli.Command {
	return &cli.Command{
		Name: "wait", Usage: "wait for containers to stop and print their exit codes", ArgsUsage: "CONTAINER...",
		Action: func(c *cli.Context) error {
			if c.NArg() < 1 {
				return fmt.Errorf("%w: wait needs at least one container", errdefs.ErrInvalidArgument)
			}
			sess, err := openSession(c)
			if err != nil {
				return err
			}
			defer sess.close()
			for _, ref := range c.Args().Slice() {
				ctr, err := lifecycle.Find(sess.store, sess.paths.RunRoot, ref)
				if err != nil {
					return err
				}
				code, err := lifecycle.Wait(sess.store, sess.paths.RunRoot, ctr)
				if err != nil {
					return err
				}
				fmt.Println(code)
			}
			return nil
		},
	}
}
