package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/burrow/burrow/lifecycle"
	"github.com/urfave/cli/v2"
)

func attachCommand() *cli.Command {
	return &cli.Command{
		Name:      "attach",
		Usage:     "follow a detached container's output and signals until it exits (no stdin: the monitor keeps none)",
		ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sig-proxy", Value: true, Usage: "pass signals burrow receives to the container"},
		},
		Action: attachAction,
	}
}

func attachAction(c *cli.Context) error {
	sess, ctr, err := oneContainer(c, "attach", 1)
	if err != nil {
		return err
	}
	defer sess.close()
	if !ctr.Owned {
		return fmt.Errorf("container %s is not running: you cannot attach to a stopped container", ctr.Record.Name)
	}
	path, err := lifecycle.LogPath(sess.store, ctr.ID)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(0, 2); err != nil { // only what comes from now on
		return err
	}
	if c.Bool("sig-proxy") {
		stop := proxySignals(sess.paths.RunRoot, ctr)
		defer stop()
	}
	for {
		if err := printTail(f, -1, false, timeWindow{}); err != nil {
			return err
		}
		now, err := lifecycle.Find(sess.store, sess.paths.RunRoot, ctr.ID)
		if err != nil || !now.Owned {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	code, err := lifecycle.Wait(sess.store, sess.paths.RunRoot, ctr)
	if err != nil {
		return err
	}
	if code != 0 {
		return statusError{code}
	}
	return nil
}

// proxySignals passes SIGINT, SIGTERM, SIGHUP and the user signals on to
// the container, as `docker attach` does by default.
func proxySignals(runRoot string, ctr lifecycle.Container) func() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for sig := range signals {
			_ = lifecycle.Kill(runRoot, ctr, sig.(syscall.Signal))
		}
	}()
	return func() { signal.Stop(signals); close(signals) }
}
