// Package events keeps a user's event log: one JSON line per container,
// image, network or volume event, appended by whichever burrow process
// caused it (a CLI verb, the API, a container's monitor), read by `burrow
// events`. The log is rotated at MaxSize (podman's events_logfile_max_size
// default): the full file becomes events.log.1, replacing the one before,
// so the log never holds more than twice that.
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
	Type       string            `json:"type"` // container, image, network or volume
	Action     string            `json:"action"`
	ID         string            `json:"id"`
	Name       string            `json:"name,omitempty"`
	Image      string            `json:"image,omitempty"`
	Network    string            `json:"network,omitempty"`    // network events: its name
	Attributes map[string]string `json:"attributes,omitempty"` // labels, exitCode
}

// Path is the log's file under the run root: events last as long as the
// user's session, as podman's file backend keeps them.
func Path(runRoot string) string { return filepath.Join(runRoot, "events.log") }

// MaxSize is the size past which the log is rotated.
var MaxSize int64 = 1 << 20

// rotated is the previous log; lockName serialises rotations.
func rotated(runRoot string) string  { return Path(runRoot) + ".1" }
func lockName(runRoot string) string { return Path(runRoot) + ".lock" }

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
	if _, err = unix.Write(fd, append(b, '\n')); err != nil {
		return err
	}
	// One fstat per event; the rotation itself is rare.
	var st unix.Stat_t
	if unix.Fstat(fd, &st) == nil && st.Size > MaxSize {
		return rotate(runRoot, st.Ino)
	}
	return nil
}

// rotate renames the log that grew past MaxSize to events.log.1. Under
// the lock, and only when the name still is the file that grew: another
// writer that saw the same size may have rotated it already, and
// renaming the new small log would drop the old one.
func rotate(runRoot string, ino uint64) error {
	lock, err := unix.Open(lockName(runRoot), unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	defer unix.Close(lock)
	if err := unix.Flock(lock, unix.LOCK_EX); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Lstat(Path(runRoot), &st); err != nil || st.Ino != ino || st.Size <= MaxSize {
		return nil
	}
	return os.Rename(Path(runRoot), rotated(runRoot))
}

// ReadOptions select events by time; Follow keeps reading new ones until
// ctx ends or, with Until set, until that time has passed. Following
// without Since starts at the log's end.
type ReadOptions struct {
	Since, Until time.Time
	Follow       bool
}

// Read passes the log's events in o's window to fn, in order: those of
// the rotated log first when o asks for the past. A follower that reaches
// the end of a log that was rotated meanwhile goes on in the new one.
func Read(ctx context.Context, runRoot string, o ReadOptions, fn func(Event) error) error {
	if !o.Follow || !o.Since.IsZero() {
		if old, err := os.Open(rotated(runRoot)); err == nil {
			err = readAll(bufio.NewReader(old), o, fn)
			old.Close()
			if err != nil {
				return err
			}
		}
	}
	f, err := os.OpenFile(Path(runRoot), os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer func() { f.Close() }()
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
			if next := successor(runRoot, f); next != nil {
				// Everything of the old file is read: go on in the new.
				f.Close()
				f, r, partial = next, bufio.NewReader(next), nil
				continue
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
		if stop, err := pass(line, o, fn); stop || err != nil {
			return err
		}
	}
}

// successor opens the log when it is no longer the file f (rotated).
func successor(runRoot string, f *os.File) *os.File {
	var have, now unix.Stat_t
	if unix.Fstat(int(f.Fd()), &have) != nil || unix.Stat(Path(runRoot), &now) != nil || have.Ino == now.Ino {
		return nil
	}
	next, err := os.Open(Path(runRoot))
	if err != nil {
		return nil
	}
	return next
}

func readAll(r *bufio.Reader, o ReadOptions, fn func(Event) error) error {
	for {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 && line[len(line)-1] == '\n' {
			if stop, err := pass(line, o, fn); stop || err != nil {
				return err
			}
		}
		if err != nil {
			return nil
		}
	}
}

// pass gives fn the event on line when it is in o's window; stop says
// that no later event can be.
func pass(line []byte, o ReadOptions, fn func(Event) error) (stop bool, err error) {
	var ev Event
	if json.Unmarshal(line, &ev) != nil {
		return false, nil
	}
	if !o.Since.IsZero() && ev.Time.Before(o.Since) {
		return false, nil
	}
	if !o.Until.IsZero() && ev.Time.After(o.Until) {
		return !o.Follow, nil
	}
	return false, fn(ev)
}
