package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func detachedEnv(t *testing.T) *env {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestDetachLifecycle: run -d, ps, logs, inspect, stop, wait, rm.
func TestDetachLifecycle(t *testing.T) {
	e := detachedEnv(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "web", busyboxImage, "sh", "-c",
		"echo to-stdout; echo to-stderr >&2; trap 'exit 0' TERM; while true; do sleep 0.1; done"))
	if len(id) != 64 || strings.Trim(id, "0123456789abcdef") != "" {
		t.Fatalf("run -d printed %q, want a full ID", id)
	}
	if out := e.ok("ps", "--format", "{{.Names}} {{.State}}"); out != "web running\n" {
		t.Fatalf("ps: %q", out)
	}
	if !waitFor(10*time.Second, func() bool { return strings.Contains(e.burrow("logs", "web").stdout, "to-stdout") }) {
		t.Fatalf("logs never showed the output: %s", e.burrow("logs", "web"))
	}
	if r := e.burrow("logs", "web"); r.stdout != "to-stdout\n" || r.stderr != "to-stderr\n" {
		t.Errorf("logs mixed the streams: %s", r)
	}
	if out := e.ok("inspect", "--format", "{{.State.Running}} {{.Name}}", id[:8]); out != "true web\n" {
		t.Errorf("inspect by ID prefix: %q", out)
	}
	if r := e.burrow("rm", "web"); r.code != 2 || !strings.Contains(r.stderr, "running") {
		t.Errorf("rm of a running container: %s; want exit 2 (podman's)", r)
	}
	e.ok("stop", "web")
	if out := e.ok("wait", "web"); out != "0\n" {
		t.Errorf("wait after a trapped stop: %q, want 0", out)
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}} {{.State}} {{.ExitCode}}"); out != "web exited 0\n" {
		t.Errorf("ps -a after stop: %q", out)
	}
	e.ok("rm", "web")
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("ps -a after rm: %q", out)
	}
	if strings.Contains(e.holderMounts(t), "merged") {
		t.Errorf("mount left after rm")
	}
}

// TestDetachStopKillsAfterTimeout: PID 1 without a handler ignores
// SIGTERM; stop then kills it.
func TestDetachStopKillsAfterTimeout(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "stubborn", busyboxImage, "sleep", "1000")
	start := time.Now()
	e.ok("stop", "-t", "1", "stubborn")
	// The grace period is the feature: a SIGKILL at once would also end in 137.
	if took := time.Since(start); took < time.Second {
		t.Fatalf("stop -t 1 returned after %v: it did not wait the grace period before SIGKILL", took)
	}
	if out := e.ok("wait", "stubborn"); out != "137\n" {
		t.Fatalf("exit after SIGKILL: %q, want 137", out)
	}
}

func TestDetachKillAndRmForce(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "k", busyboxImage, "sh", "-c", "trap 'exit 5' USR1; echo trapped; while true; do sleep 0.1; done")
	if !waitFor(20*time.Second, func() bool { return e.ok("logs", "k") == "trapped\n" }) {
		t.Fatalf("the shell never installed its trap: %q", e.ok("logs", "k"))
	}
	e.ok("kill", "-s", "USR1", "k")
	if out := e.ok("wait", "k"); out != "5\n" {
		t.Fatalf("exit after kill -s USR1: %q", out)
	}
	e.ok("run", "-d", "--name", "f", busyboxImage, "sleep", "1000")
	e.ok("rm", "-f", "f")
	if out := e.ok("ps", "-a", "--format", "{{.Names}}"); out != "k\n" {
		t.Fatalf("after rm -f f, ps -a lists %q; want only k", out)
	}
	if r := e.burrow("kill", "nosuch"); r.code != 125 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("kill of an unknown container: %s", r)
	}
}

func TestDetachRmRemovesItself(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--rm", "--name", "brief", busyboxImage, "true")
	if !waitFor(10*time.Second, func() bool { return e.ok("ps", "-a", "-q") == "" }) {
		t.Fatalf("--rm container still listed: %s", e.ok("ps", "-a"))
	}
}

func TestDetachStartFailure(t *testing.T) {
	e := detachedEnv(t)
	r := e.burrow("run", "-d", "--name", "bad", busyboxImage, "nosuchcmd")
	if r.code != 127 || !strings.Contains(r.stderr, "nosuchcmd") {
		t.Fatalf("run -d of a missing command: %s; want 127", r)
	}
}

// TestDetachMonitorKilled: SIGKILL of the monitor ends the container; the
// next command records it as killed and releases its mount.
func TestDetachMonitorKilled(t *testing.T) {
	e := detachedEnv(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "orphan", busyboxImage, "sleep", "1000"))
	data, err := os.ReadFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
	if err != nil {
		t.Fatal(err)
	}
	monitor := jsonInt(t, string(data), "ownerPid")
	pid := jsonInt(t, string(data), "pid")
	if err := killAndWait(monitor); err != nil {
		t.Fatal(err)
	}
	if !waitFor(10*time.Second, func() bool { return syscall.Kill(pid, 0) != nil }) {
		t.Fatalf("container PID 1 %d outlived its monitor", pid)
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}} {{.State}} {{.ExitCode}}"); out != "orphan exited 137\n" {
		t.Fatalf("after the monitor died: %q", out)
	}
	if strings.Contains(e.holderMounts(t), "merged") {
		t.Errorf("mount left after repair")
	}
	e.ok("rm", "orphan")
}

// TestDetachMany starts, lists and removes 20 containers with nothing left.
func TestDetachMany(t *testing.T) {
	e := detachedEnv(t)
	const n = 20
	naptime := strconv.Itoa(70000 + os.Getpid()%10000) // marks this test's processes
	for i := 0; i < n; i++ {
		e.ok("run", "-d", "--name", "c"+strconv.Itoa(i), busyboxImage, "sleep", naptime)
	}
	if got := strings.Count(e.ok("ps", "-q"), "\n"); got != n {
		t.Fatalf("ps lists %d running, want %d", got, n)
	}
	args := []string{"rm", "-f"}
	for i := 0; i < n; i++ {
		args = append(args, "c"+strconv.Itoa(i))
	}
	e.ok(args...)
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Fatalf("left after rm -f: %q", out)
	}
	if procs := processesWith("sleep " + naptime); len(procs) != 0 {
		t.Errorf("container processes left: %v", procs)
	}
}

func jsonInt(t *testing.T, doc, key string) int {
	t.Helper()
	i := strings.Index(doc, `"`+key+`":`)
	if i < 0 {
		t.Fatalf("%s not in %s", key, doc)
	}
	rest := doc[i+len(key)+3:]
	end := strings.IndexAny(rest, ",}")
	n, err := strconv.Atoi(rest[:end])
	if err != nil {
		t.Fatal(err)
	}
	return n
}
