package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/burrow/burrow/container"
	"go.podman.io/storage"
)

// MonitorVerb is the hidden argv[1] of the per-container monitor.
const MonitorVerb = "__monitor"

// specFile holds a detached container's spec for its monitor (and, later,
// for exec's process defaults); it lives in the container's run directory.
const specFile = "config.json"

// LogPath is where a container's json-file log lives: in its storage
// directory, so it survives reboots and goes with the container.
func LogPath(s storage.Store, id string) (string, error) {
	dir, err := s.ContainerDirectory(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ctr.log"), nil
}

// startReport is the monitor's one message to the CLI that started it.
type startReport struct {
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
}

// RunDetached creates the container, hands it to a monitor process that
// outlives this command, and returns the container's ID once its command
// runs (or why it could not start).
func RunDetached(s storage.Store, runRoot string, opt CreateOpt) (string, error) {
	c, err := create(s, runRoot, opt)
	if err != nil {
		return "", err
	}
	if err := spawnMonitor(s, c); err != nil {
		return c.ID, err
	}
	return c.ID, nil
}

func spawnMonitor(s storage.Store, c *created) error {
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer readyR.Close()
	cmd := exec.Command("/proc/self/exe", MonitorVerb, c.ID)
	cmd.Args[0] = "burrow-monitor"
	cmd.ExtraFiles = []*os.File{readyW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		return fmt.Errorf("start monitor of %s: %w", c.Record.Name, err)
	}
	_ = cmd.Process.Release()
	var report startReport
	if err := json.NewDecoder(readyR).Decode(&report); err != nil {
		return errors.New("the container's monitor died before the container started")
	}
	if report.Code != 0 {
		return &container.StartError{Code: report.Code, Message: report.Message}
	}
	return nil
}
