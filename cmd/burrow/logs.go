package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/logfile"
	"github.com/urfave/cli/v2"
)

func logsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "show a container's output", ArgsUsage: "CONTAINER",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep printing until the container stops"},
			&cli.BoolFlag{Name: "timestamps", Aliases: []string{"t"}, Usage: "prefix each line with its time"},
			&cli.IntFlag{Name: "tail", Value: -1, Usage: "only the last N lines"},
			&cli.StringFlag{Name: "since", Usage: "only lines after a time (RFC 3339) or a duration ago (10m)"},
			&cli.StringFlag{Name: "until", Usage: "only lines before a time (RFC 3339) or a duration ago (10m)"},
		},
		Action: logsAction,
	}
}

func logsAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: logs needs one container", errdefs.ErrInvalidArgument)
	}
	window, err := parseWindow(c.String("since"), c.String("until"), time.Now())
	if err != nil {
		return err
	}
	sess, ctr, err := oneContainer(c, "logs", 1)
	if err != nil {
		return err
	}
	defer sess.close()
	path, err := lifecycle.LogPath(sess.store, ctr.ID)
	if err != nil {
		return err
	}
	files := logfile.Files(path, ctr.Record.LogRotation)
	readers := make([]io.Reader, 0, len(files))
	for _, name := range files[:len(files)-1] {
		if old, err := os.Open(name); err == nil {
			defer old.Close()
			readers = append(readers, old)
		}
	}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil // never started in the background: no log
	}
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	readers = append(readers, f)
	if err := printTail(io.MultiReader(readers...), c.Int("tail"), c.Bool("timestamps"), window); err != nil {
		return err
	}
	for c.Bool("follow") {
		ctr, err = lifecycle.Find(sess.store, sess.paths.RunRoot, ctr.ID)
		running := err == nil && ctr.Running
		if err := printTail(f, -1, c.Bool("timestamps"), window); err != nil {
			return err
		}
		if !running {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

// printTail prints entries from r's current offset, only the last n when n >= 0.
func printTail(r io.Reader, n int, timestamps bool, w timeWindow) error {
	var entries []logfile.Entry
	err := logfile.Read(r, func(e logfile.Entry) error {
		if !w.contains(e.Time) {
			return nil
		}
		entries = append(entries, e)
		if n >= 0 && len(entries) > n {
			entries = entries[1:]
		}
		return nil
	})
	for _, e := range entries {
		out := os.Stdout
		if e.Stream == "stderr" {
			out = os.Stderr
		}
		if timestamps {
			fmt.Fprint(out, e.Time.Format(time.RFC3339Nano)+" ")
		}
		fmt.Fprint(out, e.Log)
	}
	return err
}

// timeWindow is --since/--until; zero bounds are open.
type timeWindow struct{ since, until time.Time }

func (w timeWindow) contains(t time.Time) bool {
	return (w.since.IsZero() || !t.Before(w.since)) && (w.until.IsZero() || t.Before(w.until))
}

func parseWindow(since, until string, now time.Time) (timeWindow, error) {
	var w timeWindow
	var err error
	if w.since, err = parseTimeArg(since, now); err != nil {
		return w, fmt.Errorf("%w: --since: %v", errdefs.ErrInvalidArgument, err)
	}
	if w.until, err = parseTimeArg(until, now); err != nil {
		return w, fmt.Errorf("%w: --until: %v", errdefs.ErrInvalidArgument, err)
	}
	return w, nil
}

// parseTimeArg accepts RFC 3339, a Unix timestamp or a duration ago.
func parseTimeArg(v string, now time.Time) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(v); err == nil {
		return now.Add(-d), nil
	}
	var secs int64
	if _, err := fmt.Sscanf(v, "%d", &secs); err == nil && fmt.Sprint(secs) == v {
		return time.Unix(secs, 0), nil
	}
	return time.Time{}, fmt.Errorf("%q is neither a time (RFC 3339), a Unix timestamp nor a duration", v)
}
