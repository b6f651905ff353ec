package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCreateStartRenamePrune walks a container through docker's verbs.
func TestCreateStartRenamePrune(t *testing.T) {
	e := detachedEnv(t)
	cid := filepath.Join(e.dir, "cid")
	id := strings.TrimSpace(e.ok("create", "--name", "c1", "--cidfile", cid, "-l", "tier=web", busyboxImage, "sh", "-c", "echo run-$((2*21))"))
	if data, err := os.ReadFile(cid); err != nil || string(data) != id {
		t.Fatalf("--cidfile holds %q (%v), want %s", data, err, id)
	}
	if r := e.burrow("create", "--cidfile", cid, busyboxImage, "true"); r.code != 125 {
		t.Errorf("--cidfile over an existing file: %s; want exit 125", r)
	}
	if out := e.ok("ps", "-a", "--filter", "status=created", "--format", "{{.Names}}"); out != "c1\n" {
		t.Fatalf("created container: %q", out)
	}
	if out := e.ok("start", "-a", "c1"); out != "run-42\n" {
		t.Fatalf("start -a: %q", out)
	}
	e.ok("start", "c1")
	// Both runs are in the log, the attached one first (docker keeps
	// start -a's output as it keeps a detached start's).
	if !waitFor(10*time.Second, func() bool { return strings.Count(e.ok("logs", "c1"), "run-42") == 2 }) {
		t.Fatalf("detached start did not log: %q", e.ok("logs", "c1"))
	}
	// Its output is logged before it ends: wait for the end, as a script must.
	e.ok("wait", "c1")
	e.ok("rename", "c1", "c2")
	if out := e.ok("ps", "-a", "--filter", "label=tier=web", "--format", "{{.Names}} {{.State}}"); out != "c2 exited\n" {
		t.Fatalf("after rename, label filter: %q", out)
	}
	if out := e.ok("ps", "-a", "--filter", "label=tier=db", "-q"); out != "" {
		t.Errorf("label filter with another value matched: %q", out)
	}
	e.ok("run", "-d", "--name", "alive", busyboxImage, "sleep", "1000")
	if out := e.ok("ps", "-l", "--format", "{{.Names}}"); out != "alive\n" {
		t.Errorf("ps -l: %q", out)
	}
	pid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "alive"))
	e.ok("restart", "-t", "1", "alive")
	if out := e.ok("ps", "--format", "{{.Names}} {{.State}}"); out != "alive running\n" {
		t.Errorf("after restart: %q", out)
	}
	// A new process, and the old one gone: not the same one left running.
	if again := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "alive")); again == pid || again == "0" {
		t.Errorf("restart: PID %s before, %s after; want a new process", pid, again)
	}
	if n, err := strconv.Atoi(pid); err != nil || n <= 0 || syscall.Kill(n, 0) == nil {
		t.Errorf("restart: the first process %s is still alive (%v)", pid, err)
	}
	e.ok("container", "prune", "-f")
	if out := e.ok("ps", "-a", "--format", "{{.Names}}"); out != "alive\n" {
		t.Errorf("prune must keep only running containers: %q", out)
	}
	if r := e.burrow("ps", "--filter", "bogus=1"); r.code != 125 {
		t.Errorf("unknown filter: %s", r)
	}
}

// TestInit: with --init a small PID 1 reaps orphans and passes signals on,
// so a plain `sleep` stops on SIGTERM.
func TestInit(t *testing.T) {
	e := detachedEnv(t)
	out := e.ok("run", "--rm", "--init", busyboxImage, "sh", "-c",
		"tr '\\0' ' ' < /proc/1/cmdline; echo; (sleep 0.2 &); sleep 1; ps -o stat | grep -c Z || true")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "burrow-init") || lines[1] != "0" {
		t.Fatalf("want burrow-init as PID 1 and no zombies, got:\n%s", out)
	}
	e.ok("run", "-d", "--init", "--name", "sleeper", busyboxImage, "sleep", "1000")
	start := time.Now()
	e.ok("stop", "-t", "20", "sleeper")
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Errorf("stop waited %v: SIGTERM did not reach sleep", elapsed)
	}
	if out := e.ok("wait", "sleeper"); out != "143\n" {
		t.Errorf("exit after SIGTERM under --init: %q, want 143", out)
	}
}

// TestRestartPolicies: the monitor restarts per --restart and stops for good
// when the user stops the container.
func TestRestartPolicies(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "flaky", "--restart", "on-failure:2", busyboxImage, "sh", "-c", "echo try; exit 3")
	if !waitFor(20*time.Second, func() bool { return e.ok("ps", "-a", "--format", "{{.State}}") == "exited\n" }) {
		t.Fatalf("on-failure container never settled: %s", e.ok("ps", "-a"))
	}
	if out := e.ok("logs", "flaky"); out != "try\ntry\ntry\n" {
		t.Errorf("on-failure:2 should run 3 times, logs: %q", out)
	}
	if out := e.ok("wait", "flaky"); out != "3\n" {
		t.Errorf("exit code after retries: %q", out)
	}
	e.ok("rm", "flaky")

	e.ok("run", "-d", "--name", "forever", "--restart", "always", busyboxImage, "sh", "-c", "echo up; sleep 0.2")
	if !waitFor(20*time.Second, func() bool { return strings.Count(e.ok("logs", "forever"), "up") >= 3 }) {
		t.Fatalf("always: not restarted: %q", e.ok("logs", "forever"))
	}
	if r := e.burrow("rm", "forever"); r.code != 2 {
		t.Errorf("rm of a restarting/running container without -f: %s; want exit 2 (podman's)", r)
	}
	e.ok("stop", "-t", "2", "forever")
	if out := e.ok("ps", "-a", "--format", "{{.State}}"); out != "exited\n" {
		t.Fatalf("after stop the policy must not restart it: %q", out)
	}
	time.Sleep(500 * time.Millisecond)
	if out := e.ok("ps", "-a", "--format", "{{.State}}"); out != "exited\n" {
		t.Fatalf("restarted after a manual stop: %q", out)
	}
	for _, bad := range [][]string{
		{"run", "-d", "--restart", "sometimes", busyboxImage, "true"},
		{"run", "-d", "--rm", "--restart", "always", busyboxImage, "true"},
		{"run", "--restart", "always", busyboxImage, "true"},
	} {
		if r := e.burrow(bad...); r.code != 125 {
			t.Errorf("burrow %v: %s; want exit 125", bad, r)
		}
	}
}

// TestCpDiffTop: copying both ways (confined to the container's root),
// the changed-file list and the process list.
func TestCpDiffTop(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "files", busyboxImage, "sh", "-c",
		"echo inside > /tmp/f; mkdir /tmp/d; echo y > /tmp/d/y; ln -s /etc /tmp/esc; sleep 1000")
	if !waitFor(10*time.Second, func() bool { return e.burrow("exec", "files", "test", "-L", "/tmp/esc").code == 0 }) {
		t.Fatal("container never set up its files")
	}
	host := t.TempDir()
	e.ok("cp", "files:/tmp/f", host)
	e.ok("cp", "files:/tmp/d", filepath.Join(host, "dcopy"))
	if data, err := os.ReadFile(filepath.Join(host, "f")); err != nil || string(data) != "inside\n" {
		t.Errorf("cp out of the container: %q %v", data, err)
	}
	if data, err := os.ReadFile(filepath.Join(host, "dcopy", "y")); err != nil || string(data) != "y\n" {
		t.Errorf("cp of a directory: %q %v", data, err)
	}
	src := filepath.Join(host, "hostfile")
	if err := os.WriteFile(src, []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// /tmp/esc is a link to /etc: inside the container, never the host's.
	e.ok("cp", src, "files:/tmp/esc/")
	if out := e.ok("exec", "files", "cat", "/etc/hostfile"); out != "from host\n" {
		t.Errorf("cp into the container through its symlink: %q", out)
	}
	if _, err := os.Stat("/etc/hostfile"); err == nil {
		t.Fatal("cp followed a container symlink onto the host")
	}
	diff := e.ok("diff", "files")
	for _, want := range []string{"A /tmp/f", "A /tmp/d/y", "A /etc/hostfile"} {
		if !strings.Contains(diff, want) {
			t.Errorf("diff lacks %q:\n%s", want, diff)
		}
	}
	top := e.ok("top", "files")
	if !strings.Contains(top, "sleep 1000") || !strings.Contains(top, "PID") {
		t.Errorf("top:\n%s", top)
	}
	if r := e.burrow("cp", src, filepath.Join(host, "x")); r.code != 125 {
		t.Errorf("cp between two host paths: %s", r)
	}
}

// TestLogOptions: json-file rotation keeps the newest lines within
// max-size × max-file.
func TestLogOptions(t *testing.T) {
	e := detachedEnv(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "chatty", "--log-opt", "max-size=1k", "--log-opt", "max-file=2", busyboxImage, "sh", "-c",
		"i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done"))
	e.ok("wait", "chatty")
	out := e.ok("logs", "chatty")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	// A json-file entry of "line-NNN" is about 70 bytes, so two files of
	// at most 1 KiB hold some 30 lines: well short of 200, and more than one
	// file's worth, which shows the older file is read too.
	if len(lines) < 10 || len(lines) > 40 || lines[len(lines)-1] != "line-199" {
		t.Fatalf("rotated log should keep the newest 10-40 lines, ending with line-199; got %d lines, last %q", len(lines), lines[len(lines)-1])
	}
	for i, l := range lines {
		if want := fmt.Sprintf("line-%d", 200-len(lines)+i); l != want {
			t.Fatalf("line %d of the rotated log is %q, want %q (a gap or reordering):\n%s", i, l, want, out)
		}
	}
	logs, err := filepath.Glob(filepath.Join(e.dir, "data", "*", "*", "*", id, "*", "ctr.log*"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no ctr.log for %s under %s: %v", id, e.dir, err)
	}
	base := strings.TrimSuffix(strings.TrimSuffix(logs[0], ".1"), ".2")
	cur, err1 := os.ReadFile(base)
	old, err2 := os.ReadFile(base + ".1")
	if err1 != nil || err2 != nil {
		t.Fatalf("max-file=2: want %s and the rotated .1: %v, %v", base, err1, err2)
	}
	// One json-file entry a line: logs shows both files, not the newest only.
	if n := strings.Count(string(cur), "\n") + strings.Count(string(old), "\n"); len(lines) != n {
		t.Errorf("logs printed %d lines; the two files hold %d entries", len(lines), n)
	}
	if _, err := os.Stat(base + ".2"); err == nil {
		t.Errorf("max-file=2 kept a third file, %s.2", base)
	}
	if r := e.burrow("run", "-d", "--log-opt", "max-file=2", busyboxImage, "true"); r.code != 125 {
		t.Errorf("max-file without max-size: %s", r)
	}
}

// TestLogsTimeWindow: two batches of output with a time mark between them;
// --since the mark drops the first, --until the mark the second, and -t
// stamps each line with a time inside its batch's interval.
func TestLogsTimeWindow(t *testing.T) {
	e := detachedEnv(t)
	start := time.Now()
	e.ok("run", "-d", "--name", "batches", busyboxImage, "sh", "-c",
		"echo first-1; echo first-2; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo second-1; echo second-2")
	if !waitFor(20*time.Second, func() bool { return strings.Contains(e.ok("logs", "batches"), "first-2") }) {
		t.Fatalf("first batch never logged: %q", e.ok("logs", "batches"))
	}
	// Every first-batch entry was stamped before it could be read back.
	mark := time.Now()
	time.Sleep(10 * time.Millisecond) // the second batch is stamped strictly after the mark
	e.ok("exec", "batches", "touch", "/tmp/go")
	e.ok("wait", "batches")
	end := time.Now()
	if out := e.ok("logs", "batches"); out != "first-1\nfirst-2\nsecond-1\nsecond-2\n" {
		t.Fatalf("logs: %q", out)
	}
	at := mark.Format(time.RFC3339Nano)
	if out := e.ok("logs", "--since", at, "batches"); out != "second-1\nsecond-2\n" {
		t.Errorf("logs --since %s: %q; want only the second batch", at, out)
	}
	if out := e.ok("logs", "--until", at, "batches"); out != "first-1\nfirst-2\n" {
		t.Errorf("logs --until %s: %q; want only the first batch", at, out)
	}
	// A duration reaches back from now: 1h covers everything, a duration
	// shorter than the time since the mark leaves out the first batch.
	if out := e.ok("logs", "--since", "1h", "--tail", "1", "batches"); out != "second-2\n" {
		t.Errorf("logs --since 1h --tail 1: %q", out)
	}
	if out := e.ok("logs", "--until", "1h", "batches"); out != "" {
		t.Errorf("logs --until 1h ago should be empty: %q", out)
	}
	out := e.ok("logs", "-t", "batches")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("logs -t: %q", out)
	}
	for i, l := range lines {
		stamp, text, _ := strings.Cut(l, " ")
		ts, err := time.Parse(time.RFC3339Nano, stamp)
		lo, hi := start, mark
		if i >= 2 {
			lo, hi = mark, end
		}
		if err != nil || ts.Before(lo.Add(-time.Second)) || ts.After(hi) || !strings.HasPrefix(text, "first-") == (i < 2) {
			t.Errorf("logs -t line %q: want an RFC 3339 time between %s and %s (%v)", l, lo.Format(time.RFC3339Nano), hi.Format(time.RFC3339Nano), err)
		}
	}
}

// TestLogsFollow: logs -f prints lines as they come and returns when the
// container stops.
func TestLogsFollow(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "talker", busyboxImage, "sh", "-c",
		"echo early; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo late; while [ ! -e /tmp/stop ]; do sleep 0.05; done")
	cmd := exec.Command(burrowBin, "logs", "-f", "talker")
	cmd.Env = e.vars
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill() }()
	if !waitFor(20*time.Second, func() bool { return out.String() == "early\n" }) {
		t.Fatalf("logs -f: %q; want the existing line", out.String())
	}
	e.ok("exec", "talker", "touch", "/tmp/go")
	if !waitFor(20*time.Second, func() bool { return out.String() == "early\nlate\n" }) {
		t.Fatalf("logs -f: %q; want the new line while it follows", out.String())
	}
	select {
	case err := <-done:
		t.Fatalf("logs -f returned while the container runs: %v", err)
	default:
	}
	e.ok("exec", "talker", "touch", "/tmp/stop")
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("logs -f after the container stopped: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("logs -f did not return after the container stopped")
	}
}

// TestAttach follows a detached container's new output (only what comes
// after it attached) and returns its exit code.
func TestAttach(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "later", busyboxImage, "sh", "-c",
		"echo before; while [ ! -e /tmp/go ]; do sleep 0.05; done; echo after-$((5*5)); exit 7")
	if !waitFor(20*time.Second, func() bool { return e.ok("logs", "later") == "before\n" }) {
		t.Fatalf("the container never wrote its first line: %q", e.ok("logs", "later"))
	}
	cmd := exec.Command(burrowBin, "attach", "later")
	cmd.Env = e.vars
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }()
	// Attached once it holds the container's log open.
	if !waitFor(20*time.Second, func() bool { return holdsOpen(cmd.Process.Pid, "/ctr.log") }) {
		t.Fatal("attach never opened the container's log")
	}
	e.ok("exec", "later", "touch", "/tmp/go")
	err := cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != 7 || !strings.Contains(out.String(), "after-25") || strings.Contains(out.String(), "before") {
		t.Fatalf("attach: exit %d (%v), output %q; want only the later output and exit 7", code, err, out.String())
	}
	if r := e.burrow("attach", "later"); r.code != 125 {
		t.Errorf("attach to a stopped container: %s", r)
	}
}

// holdsOpen reports whether pid or one of its descendants has a file open
// whose path ends in suffix.
func holdsOpen(pid int, suffix string) bool {
	pids := []int{pid}
	for _, p := range procsMatching(func(string) bool { return true }) {
		for a, n := p, 0; a > 1 && n < 20; n++ {
			stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", a))
			if err != nil {
				break
			}
			f := strings.Fields(string(stat)[strings.LastIndexByte(string(stat), ')')+1:])
			if len(f) < 2 {
				break
			}
			a, _ = strconv.Atoi(f[1])
			if a == pid {
				pids = append(pids, p)
				break
			}
		}
	}
	for _, p := range pids {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", p))
		for _, fd := range fds {
			if target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", p, fd.Name())); err == nil && strings.HasSuffix(target, suffix) {
				return true
			}
		}
	}
	return false
}

// TestRestartUnlessStoppedBackoff: unless-stopped restarts a command that
// keeps exiting, waiting longer each time (100 ms doubling), and a stop
// ends it for good.
func TestRestartUnlessStoppedBackoff(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "bouncy", "--restart", "unless-stopped", busyboxImage, "sh", "-c", "echo up; exit 1")
	if !waitFor(30*time.Second, func() bool { return strings.Count(e.ok("logs", "bouncy"), "up") >= 5 }) {
		t.Fatalf("unless-stopped: not restarted 4 times: %q", e.ok("logs", "bouncy"))
	}
	e.ok("stop", "-t", "1", "bouncy")
	var starts []time.Time
	for _, l := range strings.Split(strings.TrimSpace(e.ok("logs", "-t", "bouncy")), "\n") {
		stamp, _, _ := strings.Cut(l, " ")
		ts, err := time.Parse(time.RFC3339Nano, stamp)
		if err != nil {
			t.Fatalf("logs -t line %q: %v", l, err)
		}
		starts = append(starts, ts)
	}
	// The back-off is the feature, so its delays are lower bounds.
	for i, min := range []time.Duration{100, 200, 400, 800} {
		if i+1 >= len(starts) {
			break
		}
		if gap := starts[i+1].Sub(starts[i]); gap < min*time.Millisecond {
			t.Errorf("restart %d came %v after the previous start, want at least %v", i+1, gap, min*time.Millisecond)
		}
	}
	if out := e.ok("ps", "-a", "--format", "{{.State}}"); out != "exited\n" {
		t.Fatalf("after stop: %q", out)
	}
	n := strings.Count(e.ok("logs", "bouncy"), "up")
	// Longer than the longest back-off so far: a restart would show.
	time.Sleep(2 * time.Second)
	if out := e.ok("ps", "-a", "--format", "{{.State}}"); out != "exited\n" || strings.Count(e.ok("logs", "bouncy"), "up") != n {
		t.Fatalf("unless-stopped restarted after a manual stop: %q, logs %q", out, e.ok("logs", "bouncy"))
	}
}
