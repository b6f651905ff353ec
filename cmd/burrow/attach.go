package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/burrow/burrow/engine"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func attachCommand() *cli.Command {
	return &cli.Command{
		Name:      "attach",
		Usage:     "follow a detached container's output and signals until it exits; its stdin too when it was started with -i",
		ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "sig-proxy", Value: true, Usage: "pass signals burrow receives to the container"},
			&cli.BoolFlag{Name: "no-stdin", Usage: "do not connect stdin"},
			&cli.StringFlag{Name: "detach-keys", Value: engine.DefaultDetachKeys, Usage: `key sequence that detaches, leaving the container running ("" for none)`},
		},
		Action: attachAction,
	}
}

func attachAction(c *cli.Context) error {
	keys, err := engine.ParseDetachKeys(c.String("detach-keys"))
	if err != nil {
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
	if ctr.Running && ctr.Record.Terminal && ctr.Record.OpenStdin && !c.Bool("no-stdin") {
		// Live through its monitor: output as it comes, resizes, signals.
		code, _, err := e.AttachTerminal(ctr.ID, keys, c.Bool("sig-proxy"))
		if err == nil && code != 0 {
			err = statusError{code}
		}
		return err
	}
	if c.Bool("sig-proxy") {
		stop := proxySignals(e, ctr.ID)
		defer stop()
	}
	ctx, cancel := context.WithCancel(c.Context)
	defer cancel()
	detached := make(chan struct{})
	opts := engine.LogsOptions{Follow: true, Tail: -1, Attach: true}
	if ctr.Record.OpenStdin && !c.Bool("no-stdin") {
		send, restore, err := attachStdin(e, ctr.ID, ctr.Record.Terminal, keys, detached)
		if err != nil {
			return err
		}
		defer restore()
		opts.Following = send
	}
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		if err := e.Logs(ctx, ctr.ID, opts, printEntry(false)); err != nil {
			done <- result{err: err}
			return
		}
		code, err := e.Wait(ctr.ID)
		done <- result{code, err}
	}()
	select {
	case <-detached:
		return nil
	case r := <-done:
		if r.err != nil {
			return r.err
		}
		if r.code != 0 {
			return statusError{r.code}
		}
		return nil
	}
}

// attachStdin sends burrow's stdin to the container's until its EOF
// (passed on) or the detach keys (detached is closed). A terminal on both
// sides goes raw, so that keys reach the container as typed; restore
// puts it back. Sending starts with send, once the output is followed
// (the answer to the first line must not be missed).
func attachStdin(e *engine.Engine, id string, tty bool, keys []byte, detached chan struct{}) (send, restore func(), err error) {
	conn, err := e.AttachStdin(id)
	if err != nil {
		return nil, nil, err
	}
	restore = func() { conn.Close() }
	fd := int(os.Stdin.Fd())
	if tty && term.IsTerminal(fd) {
		if w, h, err := term.GetSize(fd); err == nil {
			_ = e.Resize(id, uint16(h), uint16(w))
		}
		if old, err := term.MakeRaw(fd); err == nil {
			restore = func() { _ = term.Restore(fd, old); conn.Close() }
		}
	}
	send = func() {
		go func() {
			if err := engine.CopyDetach(conn, os.Stdin, keys); errors.Is(err, engine.ErrDetached) {
				close(detached)
				return
			}
			_ = conn.CloseWrite()
		}()
	}
	return send, restore, nil
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
