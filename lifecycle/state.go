package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/burrow/burrow/userns"
)

// runState is the run-time record of a container whose owner (the
// foreground burrow, later the monitor) is alive. It lives on tmpfs under
// the run root, so a reboot forgets it together with the mounts.
type runState struct {
	OwnerPID   int    `json:"ownerPid"`
	OwnerStart uint64 `json:"ownerStart"`
	AutoRemove bool   `json:"autoRemove"`
	// The container's PID 1 on the host, once it runs: stop and kill signal it.
	Pid      int    `json:"pid,omitempty"`
	PidStart uint64 `json:"pidStart,omitempty"`
}

func readState(runRoot, id string) (runState, bool) {
	var st runState
	data, err := os.ReadFile(statePath(runRoot, id))
	if err != nil || json.Unmarshal(data, &st) != nil {
		return st, false
	}
	return st, true
}

// running reports whether the container's owner is alive and its PID 1 is
// still the process recorded.
func (st runState) running() bool {
	if !st.ownerAlive() || st.Pid == 0 {
		return false
	}
	start, err := userns.StartTime(st.Pid)
	return err == nil && start == st.PidStart
}

func stateDir(runRoot string) string { return filepath.Join(runRoot, "containers") }

func statePath(runRoot, id string) string { return filepath.Join(stateDir(runRoot), id+".json") }

func writeState(runRoot, id string, st runState) error {
	if err := os.MkdirAll(stateDir(runRoot), 0o700); err != nil {
		return fmt.Errorf("create state directory: %w", err)
	}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	path := statePath(runRoot, id)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("write state of %s: %w", id, err)
	}
	return os.Rename(tmp, path)
}

func ownState(runRoot, id string, autoRemove bool) error {
	st, err := ownedState(autoRemove)
	if err != nil {
		return err
	}
	return writeState(runRoot, id, st)
}

func ownedState(autoRemove bool) (runState, error) {
	pid := os.Getpid()
	start, err := userns.StartTime(pid)
	if err != nil {
		return runState{}, fmt.Errorf("read own start time: %w", err)
	}
	return runState{OwnerPID: pid, OwnerStart: start, AutoRemove: autoRemove}, nil
}

func removeState(runRoot, id string) error {
	clearManualStop(runRoot, id)
	err := os.Remove(statePath(runRoot, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func (st runState) ownerAlive() bool {
	start, err := userns.StartTime(st.OwnerPID)
	return err == nil && start == st.OwnerStart
}
