package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKilledRunNetnsRepaired: SIGKILLed runs (foreground, --rm,
// detached through their monitor) and rm -f at varied moments leave pasta
// network namespace mounts; the next command removes every one whose
// container is not running, with its directory.
func TestKilledRunNetnsRepaired(t *testing.T) {
	if _, err := exec.LookPath("pasta"); err != nil {
		t.Skip("pasta is not installed: no namespace bind mounts to leave")
	}
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	for i, args := range [][]string{
		{"run", "--rm", "--network", "pasta", busyboxImage, "sleep", "600"},
		{"run", "--network", "pasta", busyboxImage, "sleep", "600"},
		{"run", "--rm", "--init", "--network", "pasta", busyboxImage, "sleep", "600"},
	} {
		e.killOnceMounted(t, fmt.Sprint("foreground ", i), args...)
	}
	// A detached container's owner is its monitor.
	id := strings.TrimSpace(e.ok("run", "-d", "--network", "pasta", busyboxImage, "sleep", "600"))
	e.waitNetnsMounts(t, 1)
	if err := killAndWait(e.monitorPID(t, id)); err != nil {
		t.Fatal(err)
	}
	// rm -f killed at varied moments.
	for _, delay := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond, 60 * time.Millisecond} {
		id := strings.TrimSpace(e.ok("run", "-d", "--network", "pasta", busyboxImage, "sleep", "600"))
		cmd := exec.Command(burrowBin, "rm", "-f", id)
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	e.ok("ps", "-a")
	running := e.ok("ps", "-q", "--no-trunc")
	for _, m := range e.netnsMounts(t) {
		if !strings.Contains(running, m) {
			t.Errorf("netns mount of %s, which is not running, left in the holder", m)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(e.dir, "run", "burrow", "net"))
	for _, en := range entries {
		if !strings.Contains(running, en.Name()) {
			t.Errorf("network directory of %s, which is not running, left", en.Name())
		}
	}
	if ids := strings.Fields(running); len(ids) > 0 {
		e.ok(append([]string{"rm", "-f"}, ids...)...)
	}
	if left := e.netnsMounts(t); len(left) > 0 {
		t.Errorf("netns mounts after rm -f of every container: %v", left)
	}
}

// killOnceMounted starts burrow, SIGKILLs it once its container's netns
// mount exists, and waits for the container to go.
func (e *env) killOnceMounted(t *testing.T, what string, args ...string) {
	t.Helper()
	before := strings.Join(e.netnsMounts(t), " ")
	cmd := exec.Command(burrowBin, args...)
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The command may first repair the mounts of those killed before it.
	fresh := func() bool {
		for _, m := range e.netnsMounts(t) {
			if !strings.Contains(before, m) {
				return true
			}
		}
		return false
	}
	if !waitFor(20*time.Second, fresh) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("%s: no netns mount appeared", what)
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}

// netnsMounts lists the container ID12s whose netns is bound in the holder.
func (e *env) netnsMounts(t *testing.T) []string {
	t.Helper()
	prefix := filepath.Join(e.dir, "run", "burrow", "net") + "/"
	var ids []string
	for _, line := range strings.Split(e.holderMounts(t), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], prefix) {
			ids = append(ids, strings.Split(strings.TrimPrefix(f[4], prefix), "/")[0])
		}
	}
	return ids
}

func (e *env) waitNetnsMounts(t *testing.T, n int) {
	t.Helper()
	if !waitFor(20*time.Second, func() bool { return len(e.netnsMounts(t)) >= n }) {
		t.Fatalf("want %d netns mounts, have %v", n, e.netnsMounts(t))
	}
}

// monitorPID is the owner recorded in the container's state file.
func (e *env) monitorPID(t *testing.T, id string) int {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var st struct {
		OwnerPID int `json:"ownerPid"`
	}
	if err := json.Unmarshal(data, &st); err != nil || st.OwnerPID == 0 {
		t.Fatalf("no owner pid in %s: %v", data, err)
	}
	return st.OwnerPID
}
