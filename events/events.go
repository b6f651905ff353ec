// Package events keeps a user's event log: one JSON line per container or
// image event, appended by whichever burrow process caused it (a CLI verb,
// the API, a container's monitor), read by `burrow events` and the API.
package events

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Event is one line of the log.
type Event struct {
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"` // container or image
	Action     string            `json:"action"`
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Image      string            `json:"image,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"` // labels, exitCode
}

// Path is the log's file under the run root: events last as long as the
// user's session, as podman's file backend keeps them.
func Path(runRoot string) string { return filepath.Join(runRoot, "events.log") }

// Write appends ev. One O_APPEND write of one line: concurrent writers
// never interleave, and a reader sees a line whole or not yet.
// Events are a record of what happened, never a reason for it to fail:
// callers ignore the error.
func Write(runRoot string, ev Event) error {
	if ev.Time.IsZero() {
		ev.Time = time.Now().UTC()
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	fd, err := unix.Open(Path(runRoot), unix.O_WRONLY|unix.O_APPEND|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	_, err = unix.Write(fd, append(b, '\n'))
	return err
}

// ReadOptions select events by time; Follow keeps reading new ones until
// ctx ends or, with Until set, until that time has passed. Following
// without Since starts at the log's end.
type ReadOptions struct {
	Since, Until time.Time
	Follow       bool
}

// Read passes the log's events in o's window to fn, in order.
func Read(ctx context.Context, runRoot string, o ReadOptions, fn func(Event) error) error {
	f, err := os.OpenFile(Path(runRoot), os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	// Following from now, as docker and podman do: the past is asked for
	// with Since.
	if o.Follow && o.Since.IsZero() {
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return err
		}
	}
	r := bufio.NewReader(f)
	var partial []byte
	for {
		line, err := r.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// A line not yet whole is kept for the next read.
			partial = append(partial, line...)
			if !o.Follow || (!o.Until.IsZero() && time.Now().After(o.Until)) {
				return nil
			}
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if err != nil {
			return err
		}
		if len(partial) > 0 {
			line, partial = append(partial, line...), nil
		}
		var ev Event
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		if !o.Since.IsZero() && ev.Time.Before(o.Since) {
			continue
		}
		if !o.Until.IsZero() && ev.Time.After(o.Until) {
			if o.Follow {
				continue
			}
			return nil
		}
		if err := fn(ev); err != nil {
			return err
		}
	}
}
