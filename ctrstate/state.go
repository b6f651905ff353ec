// Package ctrstate keeps the run-time state of containers that a live
// burrow process owns (a foreground run or a monitor): who owns it, its
// PID 1, when it started, how often it restarted. The files live on tmpfs
// under the run root, so a reboot forgets them together with the mounts;
// every write is atomic (write, rename).
//
// The durable record (name, image, exit code) is the store's; this package
// has no store so that the small monitor binary can use it.
package ctrstate

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/netconf"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow/burrow/userns"
)

// State is one container's run-time state.
type State struct {
	OwnerPID   int    `json:"ownerPid"`
	OwnerStart uint64 `json:"ownerStart"`
	AutoRemove bool   `json:"autoRemove"`
	// The container's PID 1 on the host, once it runs: stop and kill signal it.
	Pid          int       `json:"pid,omitempty"`
	PidStart     uint64    `json:"pidStart,omitempty"`
	Started      time.Time `json:"started,omitzero"`
	RestartCount int       `json:"restartCount,omitempty"`
}

// Dir holds the state files.
func Dir(runRoot string) string { return filepath.Join(runRoot, "containers") }

func path(runRoot, id string) string { return filepath.Join(Dir(runRoot), id+".json") }

// Write stores st for id atomically.
func Write(runRoot, id string, st State) error {
	if err := os.MkdirAll(Dir(runRoot), 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.Write(path(runRoot, id), data, 0o600)
}

// Read returns id's state; ok is false when there is none.
func Read(runRoot, id string) (st State, ok bool) {
	data, err := os.ReadFile(path(runRoot, id))
	if err != nil || json.Unmarshal(data, &st) != nil {
		return st, false
	}
	return st, true
}

// IDs lists the containers that have state files.
func IDs(runRoot string) []string {
	entries, err := os.ReadDir(Dir(runRoot))
	if err != nil {
		return nil
	}
	var ids []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			ids = append(ids, id)
		}
	}
	return ids
}

// Own returns a state owned by the calling process.
func Own(autoRemove bool) (State, error) {
	pid := os.Getpid()
	start, err := userns.StartTime(pid)
	if err != nil {
		return State{}, fmt.Errorf("read own start time: %w", err)
	}
	return State{OwnerPID: pid, OwnerStart: start, AutoRemove: autoRemove}, nil
}

// MarkStarted records the container's PID 1, with its start time so a
// reused pid is never signalled, and when it started: ps, stop, kill, exec
// and the rest find a running container through this, whether its owner
// is a monitor or a foreground run.
func MarkStarted(runRoot, id string, st *State, pid int) error {
	start, err := userns.StartTime(pid)
	if err != nil {
		return fmt.Errorf("read start time of %s's PID 1: %w", id, err)
	}
	st.Pid, st.PidStart, st.Started = pid, start, time.Now().UTC()
	return Write(runRoot, id, *st)
}

// AttachPath is the socket on which id's monitor takes stdin and terminal
// sizes (see monitor/attach.go).
func AttachPath(runRoot, id string) string { return filepath.Join(Dir(runRoot), id+".attach") }

// networksPath does not end in .json, which IDs takes for a state file.
func networksPath(runRoot, id string) string { return filepath.Join(Dir(runRoot), id+".networks") }

// WriteNetworks records the user-defined networks of a running container
// after `network connect` or `disconnect` changed them, so that its
// monitor restarts it (--restart) on those and not on the ones it was
// handed at its start.
func WriteNetworks(runRoot, id string, attach []netconf.Attach) error {
	data, err := json.Marshal(attach)
	if err != nil {
		return err
	}
	return atomicfile.Write(networksPath(runRoot, id), data, 0o600)
}

// Networks returns what WriteNetworks recorded; ok is false when nothing
// changed since the start.
func Networks(runRoot, id string) (attach []netconf.Attach, ok bool) {
	data, err := os.ReadFile(networksPath(runRoot, id))
	if err != nil || json.Unmarshal(data, &attach) != nil {
		return nil, false
	}
	return attach, true
}

// Remove forgets id's state, its stop marker, its changed networks and
// its attach socket (left by a killed monitor).
func Remove(runRoot, id string) error {
	ClearStopped(runRoot, id)
	_ = os.Remove(networksPath(runRoot, id))
	_ = os.Remove(AttachPath(runRoot, id))
	err := os.Remove(path(runRoot, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// OwnerAlive reports whether the recorded owner is still that process.
func (st State) OwnerAlive() bool {
	start, err := userns.StartTime(st.OwnerPID)
	return err == nil && start == st.OwnerStart
}

// Running reports whether the owner is alive and PID 1 is still the
// process recorded.
func (st State) Running() bool {
	if !st.OwnerAlive() || st.Pid == 0 {
		return false
	}
	start, err := userns.StartTime(st.Pid)
	return err == nil && start == st.PidStart
}

// The stop marker tells the monitor that the user stopped the container
// (stop, kill, rm -f), so its restart policy does not apply.
func marker(runRoot, id string) string { return filepath.Join(Dir(runRoot), id+".stopped") }

// MarkStopped records a user's stop.
func MarkStopped(runRoot, id string) error {
	if err := os.WriteFile(marker(runRoot, id), nil, 0o600); err != nil {
		return fmt.Errorf("mark %s stopped: %w", id, err)
	}
	return nil
}

// Stopped reports whether the user stopped the container.
func Stopped(runRoot, id string) bool {
	_, err := os.Stat(marker(runRoot, id))
	return err == nil
}

// ClearStopped drops the marker when the container starts again; a
// missing marker is fine.
func ClearStopped(runRoot, id string) { _ = os.Remove(marker(runRoot, id)) }
