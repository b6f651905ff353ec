package lifecycle

import (
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/userns"
	"go.podman.io/storage"
)

// RunMonitor is the life of a detached container's monitor: it becomes
// the container's parent, logs its output, records how it ended and cleans
// up. ready (fd 3) gets one startReport. It returns when the container is
// gone and its record is final.
func RunMonitor(s storage.Store, runRoot, id string, ready *os.File) error {
	c, logw, logf, err := prepareMonitor(s, runRoot, id)
	if err != nil {
		reportStart(ready, errdefs.ExitBurrow, err.Error())
		_ = release(s, id, c != nil && c.Record.AutoRemove)
		_ = removeState(runRoot, id)
		return err
	}
	defer logf.Close()
	code, err := superviseContainer(s, runRoot, c, logw, ready)
	if ferr := finish(s, runRoot, c, code, err == nil); ferr != nil && err == nil {
		err = ferr
	}
	return err
}

func prepareMonitor(s storage.Store, runRoot, id string) (*created, *logfile.Writer, *os.File, error) {
	ctr, err := s.Container(id)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("container %s: %w", id, err)
	}
	c := &created{ID: id, Record: DecodeRecord(ctr.Metadata)}
	if c.Spec, err = loadSpec(s, id); err != nil {
		return c, nil, nil, err
	}
	// From here on this process owns the container.
	if err := ownState(runRoot, id, c.Record.AutoRemove); err != nil {
		return c, nil, nil, err
	}
	path, err := LogPath(s, id)
	if err != nil {
		return c, nil, nil, err
	}
	logw, logf, err := logfile.Create(path)
	return c, logw, logf, err
}

// superviseContainer runs the container, and again as its restart policy
// says, until it stays down; it returns the last exit code.
func superviseContainer(s storage.Store, runRoot string, c *created, logw *logfile.Writer, ready *os.File) (int, error) {
	// A monitor ignores the terminal signals of the session it left.
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGPIPE)
	policy, _ := ParseRestartPolicy(c.Record.RestartPolicy)
	for {
		code, err := runOnce(s, runRoot, c, logw, ready)
		ready = nil // only the first start is reported to the CLI
		if err != nil {
			return code, err
		}
		if manuallyStopped(runRoot, c.ID) || !policy.restart(code, c.Record.RestartCount) {
			return code, nil
		}
		c.Record.RestartCount++
		c.Record.ExitCode = code
		time.Sleep(restartDelay(c.Record.RestartCount))
		if manuallyStopped(runRoot, c.ID) {
			return code, nil
		}
	}
}

// runOnce starts the container once and waits for it, logging its output.
func runOnce(s storage.Store, runRoot string, c *created, logw *logfile.Writer, ready *os.File) (int, error) {
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	p, err := container.Start(c.Spec, container.Stdio{Stdout: stdoutW, Stderr: stderrW}, container.Hooks{})
	stdoutW.Close()
	stderrW.Close()
	if err != nil {
		code := errdefs.ExitBurrow
		if se, ok := IsStartError(err); ok {
			code = se.Code
		}
		reportStart(ready, code, err.Error())
		return 0, err
	}
	var copies sync.WaitGroup
	copies.Add(2)
	go func() { defer copies.Done(); _ = logw.Copy("stdout", stdout) }()
	go func() { defer copies.Done(); _ = logw.Copy("stderr", stderr) }()
	if p.Terminal != nil {
		copies.Add(1)
		go func() { defer copies.Done(); _ = logw.Copy("stdout", p.Terminal) }()
	}
	if err := markStarted(s, runRoot, c, p.Pid); err != nil {
		_ = p.Signal(syscall.SIGKILL)
	}
	reportStart(ready, 0, "")
	code, err := p.Wait()
	copies.Wait()
	return code, err
}

// restartDelay doubles from 100 ms up to 10 s, as docker's does up to a minute.
func restartDelay(restarts int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < restarts && d < 10*time.Second; i++ {
		d *= 2
	}
	return min(d, 10*time.Second)
}

// markStarted records the container's PID 1 (for stop and kill) and its
// start time.
func markStarted(s storage.Store, runRoot string, c *created, pid int) error {
	st, err := ownedState(c.Record.AutoRemove)
	if err != nil {
		return err
	}
	st.Pid = pid
	if st.PidStart, err = userns.StartTime(pid); err != nil {
		return err
	}
	if err := writeState(runRoot, c.ID, st); err != nil {
		return err
	}
	c.Record.Started = time.Now().UTC()
	meta, err := c.Record.encode()
	if err != nil {
		return err
	}
	return s.SetMetadata(c.ID, meta)
}

func reportStart(ready *os.File, code int, msg string) {
	if ready == nil {
		return
	}
	_ = json.NewEncoder(ready).Encode(startReport{Code: code, Message: msg})
	ready.Close()
}
