package ctrstate

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWriteReadRemove(t *testing.T) {
	root := t.TempDir()
	if _, ok := Read(root, "abc"); ok {
		t.Fatal("state read before any was written")
	}
	if ids := IDs(root); ids != nil {
		t.Fatalf("IDs of an empty run root: %v", ids)
	}
	started := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	st := State{OwnerPID: 10, OwnerStart: 20, AutoRemove: true, Pid: 30, PidStart: 40, Started: started, RestartCount: 2}
	if err := Write(root, "abc", st); err != nil {
		t.Fatal(err)
	}
	if err := Write(root, "def", State{OwnerPID: 1}); err != nil {
		t.Fatal(err)
	}
	got, ok := Read(root, "abc")
	if !ok || got != st {
		t.Fatalf("Read = %+v, %v; want %+v", got, ok, st)
	}
	// Atomic writes leave no temporary file, and the files are private.
	entries, err := os.ReadDir(filepath.Join(root, "containers"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
		if fi, _ := en.Info(); fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", en.Name(), fi.Mode().Perm())
		}
	}
	if !slices.Equal(names, []string{"abc.json", "def.json"}) {
		t.Errorf("state directory holds %v", names)
	}
	ids := IDs(root)
	slices.Sort(ids)
	if !slices.Equal(ids, []string{"abc", "def"}) {
		t.Errorf("IDs = %v", ids)
	}
	if err := MarkStopped(root, "abc"); err != nil {
		t.Fatal(err)
	}
	if !Stopped(root, "abc") || Stopped(root, "def") {
		t.Error("stop marker not per container")
	}
	if ids := IDs(root); len(ids) != 2 {
		t.Errorf("the stop marker counts as a container: %v", ids)
	}
	if err := Remove(root, "abc"); err != nil {
		t.Fatal(err)
	}
	if _, ok := Read(root, "abc"); ok || Stopped(root, "abc") {
		t.Error("Remove left the state or its stop marker")
	}
	if err := Remove(root, "abc"); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	// A damaged file reads as no state.
	if err := os.WriteFile(filepath.Join(root, "containers", "bad.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := Read(root, "bad"); ok {
		t.Error("a damaged state file was read")
	}
}

func TestOwnerAndRunning(t *testing.T) {
	own, err := Own(true)
	if err != nil {
		t.Fatal(err)
	}
	if own.OwnerPID != os.Getpid() || own.OwnerStart == 0 || !own.AutoRemove {
		t.Fatalf("Own = %+v", own)
	}
	if !own.OwnerAlive() {
		t.Error("this process is not alive as its own owner")
	}
	// The same PID with another start time is a reused PID: not the owner.
	reused := own
	reused.OwnerStart++
	if reused.OwnerAlive() {
		t.Error("a recorded owner with another start time counts as alive")
	}
	if own.Running() {
		t.Error("running without a PID 1")
	}
	child := exec.Command("sleep", "30")
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	st, err := Own(false)
	if err != nil {
		t.Fatal(err)
	}
	st.Pid = child.Process.Pid
	st.PidStart = startTime(t, st.Pid)
	if !st.Running() {
		t.Errorf("%+v: a live PID 1 with its start time is not running", st)
	}
	st.PidStart++
	if st.Running() {
		t.Error("a PID 1 with another start time (a reused PID) counts as running")
	}
	st.PidStart--
	_ = child.Process.Kill()
	_ = child.Wait()
	if st.Running() {
		t.Error("a dead PID 1 counts as running")
	}
}

// startTime reads field 22 of /proc/PID/stat, independently of userns.StartTime.
func startTime(t *testing.T, pid int) uint64 {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "stat"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	// After the parenthesised command name come fields 3 (state) onwards.
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	v, err := strconv.ParseUint(fields[22-3], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
