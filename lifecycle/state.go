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
	pid := os.Getpid()
	start, err := userns.StartTime(pid)
	if err != nil {
		return fmt.Errorf("read own start time: %w", err)
	}
	return writeState(runRoot, id, runState{OwnerPID: pid, OwnerStart: start, AutoRemove: autoRemove})
}

func removeState(runRoot, id string) error {
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
