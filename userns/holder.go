package userns

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/inherit"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/burrow/burrow/idmap"
	"golang.org/x/sys/unix"
)

// Env names shared with the C constructor in userns/nsenter.
const (
	envInside     = "_BURROW_IN_USERNS"
	envRunDir     = "_BURROW_RUN_DIR"    // where the constructor finds the record
	envJoinError  = "_BURROW_JOIN_ERROR" // why the constructor could not join
	envJoinFailed = "_BURROW_JOIN_FAILED"
	envJoinTried  = "_BURROW_JOIN_TRIED" // how many re-executions did not end inside
	envNoJoin     = "_BURROW_NO_JOIN"    // the holder itself: no locks, no join
)

// maxJoinTries bounds the re-executions of one command: each starts or
// finds a holder, and only a `system migrate` retiring that holder in
// between makes another necessary.
const maxJoinTries = 3

// HolderVerb is the hidden argv[1] that makes the binary run as the holder.
const HolderVerb = "__holder"

// Files in the run dir; keep in sync with nsenter.c. holder.lock
// serialises starting a holder; holder.use and holder.gate are described
// in lock.go.
const (
	holderFile = "holder.pid"
	startLock  = "holder.lock"
	useLock    = "holder.use"
	gateLock   = "holder.gate"
)

// Inside reports whether this process already runs in burrow's namespace.
func Inside() bool { return os.Getenv(envInside) != "" }

// Opt says where the holder lives and how to map it.
type Opt struct {
	RunDir  string                        // $XDG_RUNTIME_DIR/burrow
	Mapping func() (idmap.Mapping, error) // asked only when a holder must be made
	Warn    func(string)                  // called with the single-ID warning, if any
}

// Ensure makes sure this process runs inside the holder's namespaces. When
// it is outside, it creates a holder when none is alive and re-executes the
// current command, which the C constructor then joins. It returns only when
// the process is inside, or with an error.
func Ensure(opt Opt) error {
	if Inside() {
		return nil
	}
	tries, _ := strconv.Atoi(os.Getenv(envJoinTried))
	msg := os.Getenv(envJoinError)
	failed, _ := strconv.Atoi(os.Getenv(envJoinFailed))
	for _, v := range []string{envJoinError, envJoinFailed, envJoinTried} {
		_ = os.Unsetenv(v)
	}
	if tries >= maxJoinTries {
		// Never loop: something keeps this command outside.
		if msg == "" {
			msg = fmt.Sprintf("still outside after %d tries (is the holder being retired over and over?)", tries)
		}
		return fmt.Errorf("join burrow's user namespace: %s", msg)
	}
	if _, err := ensureHolder(opt, failed); err != nil {
		return err
	}
	return reexecJoining(opt.RunDir, tries+1)
}

// reexecJoining runs this command again; the C constructor joins the
// holder recorded in runDir under its locks, so a holder retired in
// between is never joined half-way.
func reexecJoining(runDir string, tries int) error {
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own executable: %w", err)
	}
	env := append(os.Environ(), envRunDir+"="+runDir, envJoinTried+"="+strconv.Itoa(tries))
	inherit.Unseal()
	if err := syscall.Exec(self, os.Args, env); err != nil {
		return fmt.Errorf("re-exec %s to join the holder: %w", self, err)
	}
	return nil
}

// ensureHolder returns the live holder's pid, starting one under a lock so
// that concurrent first commands share a single holder. failed is a
// holder the constructor could not join: its record is dropped when it
// still names that process.
func ensureHolder(opt Opt, failed int) (int, error) {
	if err := os.MkdirAll(opt.RunDir, 0o700); err != nil {
		return 0, fmt.Errorf("create %s: %w", opt.RunDir, err)
	}
	unlock, err := lockFile(opt.RunDir, startLock, unix.LOCK_EX)
	if err != nil {
		return 0, err
	}
	defer unlock()
	if pid, ok := RecordedHolder(opt.RunDir); ok {
		if pid != failed {
			return pid, nil
		}
		if err := RemoveRecord(opt.RunDir); err != nil {
			return 0, fmt.Errorf("forget holder %d that cannot be joined: %w", pid, err)
		}
	}
	// The constructor takes these before it reads the record: they must
	// exist before there is a record to read.
	for _, name := range []string{useLock, gateLock} {
		f, err := os.OpenFile(filepath.Join(opt.RunDir, name), os.O_CREATE|os.O_RDONLY, 0o600)
		if err != nil {
			return 0, fmt.Errorf("create %s: %w", name, err)
		}
		f.Close()
	}
	return startHolder(opt)
}

// RecordedHolder returns the holder's pid when the record names a process
// that is still the one recorded (same start time).
func RecordedHolder(runDir string) (int, bool) {
	data, err := os.ReadFile(filepath.Join(runDir, holderFile))
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(data))
	if len(fields) != 2 {
		return 0, false
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 {
		return 0, false
	}
	st, err := StartTime(pid)
	if err != nil || strconv.FormatUint(st, 10) != fields[1] {
		return 0, false
	}
	return pid, true
}

// StartTime reads a process's start time (clock ticks since boot), which
// tells a live process from a later one that reused its pid.
func StartTime(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat: no comm", pid)
	}
	fields := strings.Fields(string(data[i+1:]))
	// fields[0] is field 3 (state); start time is field 22.
	if len(fields) < 20 {
		return 0, fmt.Errorf("parse /proc/%d/stat: %d fields", pid, len(fields))
	}
	return strconv.ParseUint(fields[19], 10, 64)
}

func startHolder(opt Opt) (int, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, fmt.Errorf("find own executable: %w", err)
	}
	mapped, mappedW, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	readyR, ready, err := os.Pipe()
	if err != nil {
		return 0, err
	}
	var stderr bytes.Buffer
	cmd := exec.Command(self, HolderVerb)
	cmd.Dir = "/"
	cmd.Stderr = &stderr
	cmd.ExtraFiles = []*os.File{mapped, ready} // fds 3 and 4 in the holder
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		Setsid:     true,
	}
	cmd.Env = append(withoutBurrowEnv(os.Environ()), envNoJoin+"=1")
	if err := cmd.Start(); err != nil {
		mapped.Close()
		mappedW.Close()
		readyR.Close()
		ready.Close()
		return 0, fmt.Errorf("start namespace holder: %w", err)
	}
	mapped.Close()
	ready.Close()
	defer readyR.Close()
	fail := func(err error) (int, error) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if s := strings.TrimSpace(stderr.String()); s != "" {
			err = fmt.Errorf("%w: %s", err, s)
		}
		return 0, err
	}
	mapping, err := opt.Mapping()
	if err != nil {
		mappedW.Close()
		return fail(err)
	}
	if mapping.SingleID && opt.Warn != nil {
		opt.Warn(mapping.Warning)
	}
	if err := idmap.Apply(cmd.Process.Pid, mapping); err != nil {
		mappedW.Close()
		return fail(fmt.Errorf("map user namespace: %w", err))
	}
	mappedW.Close()
	buf := make([]byte, 1)
	if n, _ := readyR.Read(buf); n != 1 {
		return fail(errors.New("namespace holder exited before it was ready"))
	}
	if err := recordHolder(opt.RunDir, cmd.Process.Pid); err != nil {
		return fail(err)
	}
	pid := cmd.Process.Pid
	_ = cmd.Process.Release() // it sets Pid to -1
	return pid, nil
}

func recordHolder(runDir string, pid int) error {
	st, err := StartTime(pid)
	if err != nil {
		return fmt.Errorf("read holder start time: %w", err)
	}
	return atomicfile.Write(filepath.Join(runDir, holderFile), fmt.Appendf(nil, "%d %d\n", pid, st), 0o600)
}

func withoutBurrowEnv(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if strings.HasPrefix(kv, "_BURROW_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// RemoveRecord forgets the holder.
func RemoveRecord(runDir string) error {
	err := os.Remove(filepath.Join(runDir, holderFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// HostUID is the user's uid on the host, also from inside the namespace
// (where the process is uid 0): the outside id of inside 0 in uid_map.
func HostUID() int { return HostID("/proc/self/uid_map", os.Getuid()) }

// HostID reads an id map for the outside id of inside 0.
func HostID(mapFile string, own int) int {
	if !Inside() {
		return own
	}
	data, err := os.ReadFile(mapFile)
	if err != nil {
		return own
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "0" {
			if n, err := strconv.Atoi(f[1]); err == nil {
				return n
			}
		}
	}
	return own
}
