package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestUnshare runs a command in burrow's user namespace.
func TestUnshare(t *testing.T) {
	out := shared.forTest(t).ok("unshare", "id", "-u")
	if out != "0\n" {
		t.Fatalf("burrow unshare id -u = %q, want 0", out)
	}
}

// TestHolderIsShared: commands join one holder; a dead holder is replaced.
func TestHolderIsShared(t *testing.T) {
	e := newEnv(t)
	a := e.ok("unshare", "readlink", "/proc/self/ns/user")
	b := e.ok("unshare", "readlink", "/proc/self/ns/user")
	if a != b {
		t.Fatalf("two commands in different namespaces: %s vs %s", a, b)
	}
	pid := e.holderPID()
	if pid == 0 {
		t.Fatal("no holder recorded")
	}
	if err := killAndWait(pid); err != nil {
		t.Fatal(err)
	}
	c := e.ok("unshare", "readlink", "/proc/self/ns/user")
	// Namespace inode numbers are reused once freed: compare with the new
	// holder's namespace, not with the dead one's.
	newPID := e.holderPID()
	held, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", newPID))
	if newPID == pid || err != nil || strings.TrimSpace(c) != held {
		t.Fatalf("dead holder not replaced: pid %d -> %d, command in %s, new holder in %s (%v)", pid, newPID, strings.TrimSpace(c), held, err)
	}
}

// TestMissingNewuidmap: without the setuid helpers burrow falls back to a
// single-ID mapping, warns with the fix, and still runs containers.
func TestMissingNewuidmap(t *testing.T) {
	e := newEnv(t)
	for i, v := range e.vars {
		if strings.HasPrefix(v, "PATH=") {
			e.vars[i] = "PATH=/nonexistent"
		}
	}
	tarPath := filepath.Join(e.dir, "rootfs.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	r := e.burrow("import", "-q", tarPath, "box")
	if r.code != 0 {
		t.Fatalf("import with a single-ID mapping: %s", r)
	}
	if !strings.Contains(r.stderr, "uidmap") || !strings.Contains(r.stderr, "WARN") {
		t.Errorf("no warning naming the uidmap package:\n%s", r.stderr)
	}
	out := e.ok("run", "--rm", "box", "sh", "-c", "id -u; cat /proc/self/uid_map")
	fields := strings.Fields(out)
	if len(fields) != 4 || fields[0] != "0" || fields[3] != "1" {
		t.Fatalf("want root with a one-ID map, got %q", out)
	}
}

// TestNoRuntimeDir: without XDG_RUNTIME_DIR burrow says so and uses a
// private fallback.
func TestNoRuntimeDir(t *testing.T) {
	e := newEnv(t)
	var vars []string
	for _, v := range e.vars {
		if !strings.HasPrefix(v, "XDG_RUNTIME_DIR=") {
			vars = append(vars, v)
		}
	}
	e.vars = vars
	fallback := filepath.Join(os.TempDir(), "burrow-run-"+itoa(os.Getuid()))
	// destroy ends the holder last, after its own commands, which would
	// start a new one in the fallback.
	e.holderFile = filepath.Join(fallback, "holder.pid")
	r := e.burrow("unshare", "true")
	if r.code != 0 || !strings.Contains(r.stderr, "XDG_RUNTIME_DIR is not set") || !strings.Contains(r.stderr, fallback) {
		t.Fatalf("want a warning naming the fallback %s: %s", fallback, r)
	}
	fi, err := os.Stat(fallback)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("fallback run root %s: %v %v", fallback, fi, err)
	}
}

// TestRuntimeDirNotOwned: an XDG_RUNTIME_DIR that is not the user's (here
// /tmp, root's) is not used: burrow warns and falls back to a private
// directory under TMPDIR; a fallback somebody planted there first (a
// symlink to a directory of root's) is refused, not used.
func TestRuntimeDirNotOwned(t *testing.T) {
	if fi, err := os.Stat("/tmp"); err != nil || fi.Sys().(*syscall.Stat_t).Uid == uint32(os.Getuid()) {
		t.Skipf("/tmp is not another user's here (%v)", err)
	}
	e := newEnv(t)
	tmp := t.TempDir()
	for i, v := range e.vars {
		if strings.HasPrefix(v, "XDG_RUNTIME_DIR=") {
			e.vars[i] = "XDG_RUNTIME_DIR=/tmp"
		}
	}
	e.vars = append(e.vars, "TMPDIR="+tmp)
	fallback := filepath.Join(tmp, "burrow-run-"+itoa(os.Getuid()))
	e.holderFile = filepath.Join(fallback, "holder.pid")
	r := e.burrow("unshare", "true")
	if r.code != 0 || !strings.Contains(r.stderr, "XDG_RUNTIME_DIR=/tmp is not a directory owned by you") || !strings.Contains(r.stderr, fallback) {
		t.Fatalf("want a warning naming /tmp and the fallback %s: %s", fallback, r)
	}
	fi, err := os.Lstat(fallback)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("fallback run root %s: %v %v; want a private directory", fallback, fi, err)
	}
	if _, err := os.Stat(filepath.Join("/tmp", "burrow")); err == nil {
		t.Errorf("burrow used the foreign XDG_RUNTIME_DIR /tmp")
	}

	planted := newEnv(t)
	ptmp := t.TempDir()
	for i, v := range planted.vars {
		if strings.HasPrefix(v, "XDG_RUNTIME_DIR=") {
			planted.vars[i] = "XDG_RUNTIME_DIR=/tmp"
		}
	}
	planted.vars = append(planted.vars, "TMPDIR="+ptmp)
	trap := filepath.Join(ptmp, "burrow-run-"+itoa(os.Getuid()))
	if err := os.Symlink("/var", trap); err != nil {
		t.Fatal(err)
	}
	planted.holderFile = filepath.Join(trap, "holder.pid")
	r = planted.burrow("unshare", "true")
	if r.code == 0 || !strings.Contains(r.stderr, "belongs to another user") || !strings.Contains(r.stderr, trap) {
		t.Fatalf("a planted fallback %s -> /var: %s; want it refused naming it", trap, r)
	}
}

// TestNoSubordinateIDs runs as a user without /etc/subuid entries (make e2e
// runs it as burrownosub): burrow warns with the exact fix and still runs
// containers with a single-ID mapping.
func TestNoSubordinateIDs(t *testing.T) {
	skipIsFatal(t)
	name := os.Getenv("USER")
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		data, _ := os.ReadFile(f)
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(line, name+":") || strings.HasPrefix(line, itoa(os.Getuid())+":") {
				t.Skipf("%s has entries in %s; this case runs as a user without them (make e2e: burrownosub)", name, f)
			}
		}
	}
	e := newEnv(t)
	tarPath := filepath.Join(e.dir, "rootfs.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	r := e.burrow("import", "-q", tarPath, "box")
	if r.code != 0 {
		t.Fatalf("import: %s", r)
	}
	for _, want := range []string{"WARN", "/etc/subuid", "'" + name + ":", "usermod --add-subuids"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("warning lacks %q:\n%s", want, r.stderr)
		}
	}
	out := e.ok("run", "--rm", "box", "sh", "-c", "id -u; cat /proc/self/uid_map")
	if f := strings.Fields(out); len(f) != 4 || f[0] != "0" || f[3] != "1" {
		t.Fatalf("want root with a one-ID map, got %q", out)
	}
}

// TestRelativePathsAfterJoin: joining the holder keeps the working
// directory, so relative paths work as typed.
func TestRelativePathsAfterJoin(t *testing.T) {
	e := newEnv(t)
	e.ok("unshare", "true") // make sure a holder exists, so the next command joins it
	if err := writeRootfsTar(filepath.Join(e.dir, "rel.tar")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(burrowBin, "import", "-q", "rel.tar", "relbox")
	cmd.Env, cmd.Dir = e.vars, e.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import with a relative path: %v\n%s", err, out)
	}
}

// TestHolderRecordReusedPID: a holder record whose PID now belongs to
// another process (the holder died and its PID was reused) is not joined:
// burrow starts a new holder and leaves that process alone.
func TestHolderRecordReusedPID(t *testing.T) {
	e := newEnv(t)
	e.ok("unshare", "true")
	old := e.holderPID()
	record, err := os.ReadFile(e.holderFile)
	if old == 0 || err != nil {
		t.Fatalf("no holder record: %v", err)
	}
	f := strings.Fields(string(record))
	if len(f) != 2 {
		t.Fatalf("holder record %q: want PID and start time", record)
	}
	if err := killAndWait(old); err != nil {
		t.Fatal(err)
	}
	// An unrelated process of the same user takes the PID's place.
	other := exec.Command("sleep", "1000")
	if err := other.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = other.Process.Kill(); _ = other.Wait() }()
	if err := os.WriteFile(e.holderFile, []byte(fmt.Sprintf("%d %s\n", other.Process.Pid, f[1])), 0o600); err != nil {
		t.Fatal(err)
	}
	out := e.ok("unshare", "cat", "/proc/self/uid_map")
	if fields := strings.Fields(out); len(fields) < 3 || fields[0] != "0" || fields[1] != itoa(os.Getuid()) {
		t.Errorf("unshare ran in %q, want the holder's user namespace (0 mapped to %d)", out, os.Getuid())
	}
	if now := e.holderPID(); now == other.Process.Pid || now == old || now == 0 {
		t.Errorf("holder record names %d after the stale record (old holder %d, reused by %d); want a new holder", now, old, other.Process.Pid)
	}
	if err := other.Process.Signal(syscall.Signal(0)); err != nil {
		t.Errorf("the process that reused the PID is gone: %v", err)
	}
}
