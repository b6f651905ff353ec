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
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/monitor"
	"go.podman.io/storage"
)

// specFile holds a detached container's spec for its monitor (and, later,
// for exec's process defaults); it lives in the container's run directory.
const specFile = "config.json"

// LogPath is where a container's json-file log lives: where --log-opt
// path= put it, else in its storage directory, so it survives reboots and
// goes with the container. The none driver's is /dev/null.
func LogPath(s storage.Store, id string, rec Record) (string, error) {
	switch {
	case rec.LogDriver == "none" || rec.LogDriver == "passthrough":
		return os.DevNull, nil
	case rec.LogPath != "":
		return rec.LogPath, nil
	}
	dir, err := s.ContainerDirectory(id)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "ctr.log"), nil
}

// RunDetached creates the container, hands it to a monitor process that
// outlives this command, and returns the container's ID once its command
// runs (or why it could not start).
func RunDetached(s storage.Store, runRoot string, opt CreateOpt) (string, error) {
	c, err := create(s, runRoot, opt)
	if err != nil {
		return "", err
	}
	Emit(runRoot, c.ID, c.Record, "create", nil)
	if opt.Created != nil {
		opt.Created(c.ID)
	}
	// Until it runs on its networks: a network connect waits (see LockContainer).
	unlock, err := LockContainer(s, c.ID)
	if err != nil {
		_ = finish(s, runRoot, c, 0, false)
		return c.ID, err
	}
	defer unlock()
	if err := mountTmpfsVolumes(s, runRoot, c.ID, c.Record, c.Spec.Root.Path); err != nil {
		_ = finish(s, runRoot, c, 0, false)
		return c.ID, err
	}
	if err := spawnMonitor(s, runRoot, c, nil); err != nil {
		return c.ID, err
	}
	return c.ID, nil
}

// spawnMonitor hands the container to a new monitor; client, if not nil,
// is the monitor's end of an attached foreground command's socket pair.
func spawnMonitor(s storage.Store, runRoot string, c *created, client *os.File) error {
	runDir, err := s.ContainerRunDirectory(c.ID)
	if err != nil {
		return err
	}
	if c.Record.LogDriver == "passthrough" {
		return fmt.Errorf("%w: --log-driver passthrough hands the container burrow's own output: not with -d", errdefs.ErrInvalidArgument)
	}
	logPath, err := LogPath(s, c.ID, c.Record)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	lockPath, err := LockPath(s, c.ID)
	if err != nil {
		return err
	}
	opt := monitor.Opt{LockPath: lockPath,
		ID: c.ID, RunRoot: runRoot, SpecPath: filepath.Join(runDir, specFile), LogPath: logPath,
		AutoRemove: c.Record.AutoRemove, Restart: c.Record.RestartPolicy, LogRotation: c.Record.LogRotation, Health: c.Record.Health,
		Network: c.Record.Network, Ports: c.Record.Ports, Name: c.Record.Name, Networks: c.Record.Networks,
		Stdin: c.Record.OpenStdin, StdinOnce: c.Record.StdinOnce, Timeout: c.Record.Timeout, Live: c.Record.LogDriver == "none",
		Finish: []string{self, FinishVerb, c.ID}, Joins: joinedContainers(s, runRoot, c.Record),
		Client: client != nil,
	}
	return startMonitor(monitor.Verb, opt, c.Record.Name, client)
}

// startMonitor starts burrow-init VERB (a container's monitor or an exec
// monitor) in a session of its own with opt and returns once it reports
// that its command runs.
func startMonitor(verb string, opt any, name string, client *os.File) error {
	optR, optW, err := os.Pipe()
	if err != nil {
		return err
	}
	defer optR.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		optW.Close()
		return err
	}
	defer readyR.Close()
	helper, err := monitorBinary(opt)
	if err != nil {
		optW.Close()
		readyW.Close()
		return err
	}
	cmd := exec.Command(helper, verb)
	cmd.Args[0] = "burrow-monitor"
	cmd.ExtraFiles = []*os.File{optR, readyW}
	if client != nil {
		cmd.ExtraFiles = append(cmd.ExtraFiles, client) // monitor.ClientFD
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	cmd.Dir = "/"
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		optW.Close()
		return fmt.Errorf("start monitor of %s: %w", name, err)
	}
	_ = cmd.Process.Release()
	err = json.NewEncoder(optW).Encode(opt)
	optW.Close()
	if err != nil {
		return fmt.Errorf("configure monitor of %s: %w", name, err)
	}
	var report monitor.Report
	if err := json.NewDecoder(readyR).Decode(&report); err != nil {
		return errors.New("the container's monitor died before the container started")
	}
	if report.Code != 0 {
		return &container.StartError{Code: report.Code, Message: report.Message}
	}
	return nil
}

// monitorBinary is the small burrow-init, which starts in a fraction of
// burrow's time and keeps an idle container's monitor at half its memory,
// unless the container is on user-defined networks: their backend
// (netlink, nftables) would weigh on every container's init, which shares
// burrow-init, so burrow (the running binary) monitors those. An exec
// monitor needs no network: always burrow-init.
func monitorBinary(opt any) (string, error) {
	if m, ok := opt.(monitor.Opt); ok && monitor.NeedsBridge(m) {
		return os.Executable()
	}
	return container.HelperBinary()
}
