package main

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func logsCommand() *cli.Command {
	return &cli.Command{
		Name: "logs", Usage: "show containers' output", ArgsUsage: "CONTAINER...",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "follow", Aliases: []string{"f"}, Usage: "keep printing until the container stops"},
			&cli.BoolFlag{Name: "timestamps", Aliases: []string{"t"}, Usage: "prefix each line with its time"},
			&cli.IntFlag{Name: "tail", Value: -1, Usage: "only the last N lines"},
			&cli.StringFlag{Name: "since", Usage: "only lines after a time (RFC 3339) or a duration ago (10m)"},
			&cli.StringFlag{Name: "until", Usage: "only lines before a time (RFC 3339) or a duration ago (10m)"},
			latestFlag,
			&cli.BoolFlag{Name: "names", Aliases: []string{"n"}, Usage: "start each line with its container's name"},
			&cli.BoolFlag{Name: "color", Usage: "with --names: each container's name in a colour of its own"},
			&cli.BoolFlag{Name: "details", Usage: "docker's: the log attributes of --log-opt labels/env, which burrow's log records do not carry (the output is the same)"},
		},
		Action: logsAction,
	}
}

func logsAction(c *cli.Context) error {
	if c.NArg() == 0 && !c.Bool("latest") || c.NArg() > 0 && c.Bool("latest") {
		return fmt.Errorf("%w: logs needs containers (or --latest)", errdefs.ErrInvalidArgument)
	}
	window, err := parseWindow(c.String("since"), c.String("until"), time.Now())
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	refs := c.Args().Slice()
	if c.Bool("latest") {
		ref, _, err := targetArgs(c, e)
		if err != nil {
			return err
		}
		refs = []string{ref}
	}
	opt := engine.LogsOptions{Follow: c.Bool("follow"), Tail: c.Int("tail"), Since: window.since, Until: window.until}
	// Several containers are read side by side (needed with -f); whole
	// lines go out one at a time.
	var mu sync.Mutex
	errs := make([]error, len(refs))
	var wg sync.WaitGroup
	for i, ref := range refs {
		emit := printEntry(c.Bool("timestamps"))
		if c.Bool("names") {
			emit = withName(logPrefix(e, ref, i, c.Bool("color")), emit)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = e.Logs(c.Context, ref, opt, func(en engine.LogEntry) error {
				mu.Lock()
				defer mu.Unlock()
				return emit(en)
			})
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// logPrefix is a container's name for --names, coloured with --color.
func logPrefix(e *engine.Engine, ref string, i int, color bool) string {
	name := ref
	if ctr, err := e.Container(ref); err == nil {
		name = ctr.Record.Name
	}
	if color {
		return fmt.Sprintf("\x1b[%dm%s\x1b[0m ", 31+i%6, name)
	}
	return name + " "
}

func withName(prefix string, emit func(engine.LogEntry) error) func(engine.LogEntry) error {
	return func(en engine.LogEntry) error {
		out := os.Stdout
		if en.Stream == "stderr" {
			out = os.Stderr
		}
		fmt.Fprint(out, prefix)
		return emit(en)
	}
}

// printEntry prints a log entry on the stream it came from.
func printEntry(timestamps bool) func(engine.LogEntry) error {
	return func(en engine.LogEntry) error {
		out := os.Stdout
		if en.Stream == "stderr" {
			out = os.Stderr
		}
		if timestamps {
			fmt.Fprint(out, en.Time.Format(time.RFC3339Nano)+" ")
		}
		_, err := fmt.Fprint(out, en.Log)
		return err
	}
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
