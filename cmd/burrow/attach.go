package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/burrow/burrow/engine"
	"github.com/urfave/cli/v2"
)

func attachCommand() *cli.Command {
	return &cli.Command{
		Name:      "attach",
		Usage:     "follow a detached container's output and signals until it exits (no stdin: the monitor keeps none)",
		ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sig-proxy", Value: true, Usage: "pass signals burrow receives to the container"},
			&cli.BoolFlag{Name: "no-stdin", Usage: "do not connect stdin: attach never does (the monitor keeps no stdin)"},
			detachKeysFlag,
		},
		Action: attachAction,
	}
}

func attachAction(c *cli.Context) error {
	if err := checkDetachKeys(c); err != nil {
		return err
	}
	e, ctr, err := oneContainer(c, "attach", 1)
	if err != nil {
		return err
	}
	defer e.Close()
	if !ctr.Owned {
		return fmt.Errorf("container %s is not running: you cannot attach to a stopped container", ctr.Record.Name)
	}
	if c.Bool("sig-proxy") {
		stop := proxySignals(e, ctr.ID)
		defer stop()
	}
	if err := e.Logs(c.Context, ctr.ID, engine.LogsOptions{Follow: true, Tail: -1, Attach: true}, printEntry(false)); err != nil {
		return err
	}
	code, err := e.Wait(ctr.ID)
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
func proxySignals(e *engine.Engine, id string) func() {
	signals := make(chan os.Signal, 8)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		for sig := range signals {
			_ = e.Kill(id, sig.(syscall.Signal))
		}
	}()
	return func() { signal.Stop(signals); close(signals) }
}
