package bridge

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/userns"
	"golang.org/x/sys/unix"
)

// Verb is the hidden argv[1] of the rootless netns holder.
const Verb = "__netns"

// holderPID returns the recorded holder when it is still that process and
// lives in this user namespace (a holder from a user namespace that a
// killed burrow holder left behind cannot be administered from here).
func holderPID(runRoot string) (int, bool) {
	pid, alive := recordedHolder(runRoot)
	if !alive {
		return 0, false
	}
	mine, err1 := os.Readlink("/proc/self/ns/user")
	theirs, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", pid))
	return pid, err1 == nil && err2 == nil && mine == theirs
}

// recordedHolder returns the recorded holder if that process still lives.
func recordedHolder(runRoot string) (int, bool) {
	data, err := os.ReadFile(filepath.Join(Dir(runRoot), pidFileName))
	if err != nil {
		return 0, false
	}
	f := strings.Fields(string(data))
	if len(f) != 2 {
		return 0, false
	}
	pid, err := strconv.Atoi(f[0])
	if err != nil || pid <= 0 {
		return 0, false
	}
	data, err = os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, false
	}
	// After the command: state (3rd field) and start time (22nd); a zombie is gone.
	i := bytes.LastIndexByte(data, ')')
	st := strings.Fields(string(data[i+1:]))
	if i < 0 || len(st) < 20 || st[0] == "Z" || st[19] != f[1] {
		return 0, false
	}
	return pid, true
}

// ensureHolder returns the rootless netns, starting its holder when none
// lives; started reports that it is new, so endpoints of live containers
// must be wired again, and up then waits for its uplink: containers can be
// wired in meanwhile. Called under lock.
func ensureHolder(runRoot string) (started bool, up func() error, err error) {
	if pid, ok := holderPID(runRoot); ok {
		if _, err := os.Stat(fmt.Sprintf("/proc/%d/ns/net", pid)); err == nil {
			return false, nil, nil
		}
	}
	stopHolder(runRoot)
	up, err = startHolder(runRoot)
	return true, up, err
}

func startHolder(runRoot string) (func() error, error) {
	bin, err := holderBinary()
	if err != nil {
		return nil, err
	}
	logFile := filepath.Join(Dir(runRoot), logFileName)
	log, err := os.OpenFile(logFile, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("rootless netns log: %w", err)
	}
	defer log.Close()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, Verb, runRoot)
	cmd.Args[0] = "burrow-netns"
	cmd.Stdout, cmd.Stderr, cmd.Dir = log, log, "/"
	cmd.ExtraFiles = []*os.File{readyW}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	err = cmd.Start()
	readyW.Close()
	if err != nil {
		readyR.Close()
		return nil, fmt.Errorf("start the rootless netns holder: %w", err)
	}
	pid := cmd.Process.Pid
	go func() { _, _ = cmd.Process.Wait() }()
	// failed says what the holder said, or its log when it said nothing.
	failed := func(got string) error {
		_ = cmd.Process.Kill()
		if got == "" {
			data, _ := os.ReadFile(logFile)
			got = "it exited: " + strings.TrimSpace(string(data))
		}
		return fmt.Errorf("rootless netns: %s", got)
	}
	r := bufio.NewReader(readyR)
	line, _ := r.ReadString('\n')
	if got := strings.TrimSpace(line); got != readyNetns {
		readyR.Close()
		return nil, failed(got)
	}
	st, err := userns.StartTime(pid)
	if err == nil {
		err = atomicfile.Write(filepath.Join(Dir(runRoot), pidFileName), []byte(fmt.Sprintf("%d %d\n", pid, st)), 0o600)
	}
	if err != nil {
		readyR.Close()
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("rootless netns holder: %w", err)
	}
	return func() error {
		defer readyR.Close()
		var msg bytes.Buffer
		_, _ = msg.ReadFrom(r)
		if got := strings.TrimSpace(msg.String()); got != "ok" {
			return failed(got)
		}
		return nil
	}, nil
}

// holderBinary is burrow itself (or burrow-build, which has the same
// roles): the holder's DNS responder and uplink are no part of a
// container's init, so the small burrow-init does not carry them. Only
// burrow's own roles wire containers in (the CLI, the API server, a
// detached container's monitor), so the running binary is one of them.
func holderBinary() (string, error) { return os.Executable() }

// stopHolder ends the holder (its pasta dies with it) and removes the
// namespace's bind mount, so the namespace itself goes. Called under lock.
func stopHolder(runRoot string) {
	if pid, ok := recordedHolder(runRoot); ok {
		_ = unix.Kill(pid, unix.SIGKILL)
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			if _, ok := recordedHolder(runRoot); !ok {
				break
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	ns := nsFile(runRoot)
	for i := 0; i < 16; i++ {
		if unix.Unmount(ns, unix.MNT_DETACH) != nil {
			break
		}
	}
	_ = os.Remove(ns)
	_ = os.Remove(filepath.Join(Dir(runRoot), upFileName))
	_ = os.Remove(filepath.Join(Dir(runRoot), pidFileName))
}

// waitUplink waits for the running holder's uplink: a netns another
// command just started may still be bringing it up. One stat when it is up.
func waitUplink(runRoot string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(Dir(runRoot), upFileName)); err == nil {
			return nil
		}
		if _, ok := recordedHolder(runRoot); !ok {
			return fmt.Errorf("rootless netns: its holder exited before the uplink came up; see %s", filepath.Join(Dir(runRoot), logFileName))
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("rootless netns: pasta did not configure the uplink within 10s")
		}
		time.Sleep(time.Millisecond)
	}
}

// Running reports whether the rootless netns exists (for tests and info).
func Running(runRoot string) bool {
	_, ok := holderPID(runRoot)
	return ok
}
