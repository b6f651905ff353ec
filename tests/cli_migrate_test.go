package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// holdersOf lists the user-namespace holders started for this env (their
// environment names its run dir), dead or alive but not yet reaped.
func (e *env) holdersOf() []int {
	want := "XDG_RUNTIME_DIR=" + filepath.Join(e.dir, "run") + "\x00"
	return procsMatching(func(pid string) bool {
		cmdline, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		if err != nil || !bytes.Contains(cmdline, []byte("\x00__holder")) {
			return false
		}
		environ, err := os.ReadFile(filepath.Join("/proc", pid, "environ"))
		return err == nil && bytes.Contains(environ, []byte(want))
	})
}

// TestSystemMigrate: podman's meaning. Running containers are stopped, the
// holder is retired and the next command maps a new one; containers work
// afterwards, and --new-runtime is refused.
func TestSystemMigrate(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "bg", "--stop-timeout", "1", "box", "sleep", "1000")
	old := e.holderPID()
	if old == 0 {
		t.Fatal("no holder recorded")
	}
	oldNS, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", old))
	if err != nil {
		t.Fatal(err)
	}

	r := e.burrow("system", "migrate")
	if r.code != 0 || r.stdout != "" {
		t.Fatalf("system migrate: %s", r)
	}
	if !waitFor(5*time.Second, func() bool { return syscall.Kill(old, 0) != nil }) {
		t.Errorf("old holder %d still alive after migrate", old)
	}
	if _, err := os.Stat(e.holderFile); err == nil {
		t.Errorf("holder record still there after migrate: %s", e.holderFile)
	}
	if got := e.ok("inspect", "--format", "{{.State.Running}}", "bg"); strings.TrimSpace(got) != "false" {
		t.Errorf("bg running = %q after migrate, want false (podman stops running containers)", got)
	}

	// The next command starts a new holder, in a new user namespace.
	ns := strings.TrimSpace(e.ok("run", "--rm", "--network", "none", "box", "readlink", "/proc/self/ns/user"))
	now := e.holderPID()
	if now == 0 || now == old {
		t.Fatalf("holder after migrate: %d (before %d), want a new one", now, old)
	}
	nowNS, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/user", now))
	if err != nil || nowNS == oldNS && syscall.Kill(old, 0) == nil || ns != nowNS {
		t.Errorf("container ran in %s, new holder %d in %s (%v), old in %s", ns, now, nowNS, err, oldNS)
	}
	e.ok("start", "bg")
	if got := e.ok("exec", "bg", "echo", "again"); got != "again\n" {
		t.Errorf("exec in restarted bg = %q", got)
	}
	e.ok("rm", "-f", "bg")

	if r := e.burrow("system", "migrate", "--new-runtime", "crun"); r.code != 125 || !strings.Contains(r.stderr, "--new-runtime") {
		t.Errorf("migrate --new-runtime: want 125 and a reason; %s", r)
	}
}

// TestSystemMigrateWaitsForCommands: a burrow command still in the
// namespace (a following `events`) is never pulled out from under:
// migrate waits for it, names it when it gives up, and goes on once it
// has ended.
func TestSystemMigrateWaitsForCommands(t *testing.T) {
	e := newEnv(t)
	e.ok("unshare", "true")
	old := e.holderPID()
	cmd := exec.Command(burrowBin, "events")
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	time.Sleep(500 * time.Millisecond) // let it join

	r := e.burrow("system", "migrate", "--timeout", "1s")
	if r.code != 125 || !strings.Contains(r.stderr, fmt.Sprintf("pid %d (", cmd.Process.Pid)) || !strings.Contains(r.stderr, "events") {
		t.Errorf("migrate with `events` running: want 125 naming pid %d and its command; %s", cmd.Process.Pid, r)
	}
	if now := e.holderPID(); now != old {
		t.Errorf("holder %d -> %d after a migrate that gave up", old, now)
	}

	time.AfterFunc(1500*time.Millisecond, func() { _ = cmd.Process.Signal(syscall.SIGTERM) })
	start := time.Now()
	r = e.burrow("system", "migrate")
	took := time.Since(start)
	if r.code != 0 {
		t.Fatalf("system migrate: %s", r)
	}
	if took < time.Second {
		t.Errorf("migrate took %s: it did not wait for the command in the namespace", took)
	}
	if now := e.holderPID(); now == old && now != 0 {
		t.Errorf("holder %d still recorded after migrate", now)
	}
}

// TestSystemMigrateConcurrentRuns: runs started while migrate retires the
// holder over and over all succeed (each in one holder or the next, never
// half-way), and in the end one holder is left.
func TestSystemMigrateConcurrentRuns(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var mu sync.Mutex
	var failures []string
	fail := func(what string, r result, err error) {
		mu.Lock()
		defer mu.Unlock()
		failures = append(failures, fmt.Sprintf("%s: %v %s", what, err, r))
	}
	runs, migrations := 0, 0
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if w == 0 {
					r, err := e.exec("", "run", "--rm", "--network", "none", "box", "echo", "ok")
					if err != nil || r.code != 0 || r.stdout != "ok\n" {
						fail("run", r, err)
					}
				} else {
					// A detached container is either stopped by migrate or
					// started after it, in the new namespace: rm -f manages
					// it either way.
					r, err := e.exec("", "run", "-d", "--network", "none", "--stop-timeout", "1", "box", "sleep", "100")
					if err != nil || r.code != 0 {
						fail("run -d", r, err)
						continue
					}
					id := strings.TrimSpace(r.stdout)
					// A container outside the recorded holder's namespace
					// could not be entered: exec fails while it runs.
					if r, err := e.exec("", "exec", id, "true"); err != nil || r.code != 0 {
						if st, _ := e.exec("", "inspect", "--format", "{{.State.Running}}", id); st.stdout == "true\n" {
							fail("exec in a running container", r, err)
						}
					}
					r, err = e.exec("", "rm", "-f", id)
					if err != nil || r.code != 0 {
						fail("rm -f", r, err)
					}
				}
				mu.Lock()
				runs++
				mu.Unlock()
			}
		}(w)
	}
	for i := 0; i < 10; i++ {
		time.Sleep(200 * time.Millisecond)
		r, err := e.exec("", "system", "migrate")
		if err != nil || r.code != 0 {
			fail("migrate", r, err)
		}
		migrations++
	}
	close(stop)
	wg.Wait()
	for _, f := range failures {
		t.Error(f)
	}
	t.Logf("%d runs during %d migrations", runs, migrations)
	if runs < 4 {
		t.Errorf("only %d runs completed", runs)
	}
	e.ok("run", "--rm", "--network", "none", "box", "true")
	if left := e.ok("ps", "-a", "-q"); left != "" {
		t.Errorf("containers left after every rm -f: %q", left)
	}
	var alive []int
	waitFor(5*time.Second, func() bool {
		alive = alive[:0]
		for _, pid := range e.holdersOf() {
			if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil && !strings.Contains(string(data), ") Z ") {
				alive = append(alive, pid)
			}
		}
		return len(alive) == 1
	})
	if len(alive) != 1 || alive[0] != e.holderPID() {
		t.Errorf("holders alive at the end: %v, recorded %d; want just the recorded one", alive, e.holderPID())
	}
}

// TestSystemMigrateWaitsForBuild: a build, which burrow hands over to
// burrow-build inside the namespace, counts as a command there too.
func TestSystemMigrateWaitsForBuild(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	dir := buildContext(t, map[string]string{"Containerfile": "FROM box\nRUN sleep 4\n"})
	cmd := exec.Command(burrowBin, "build", "-q", "-t", "slow", dir)
	cmd.Env = e.vars
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	r := e.burrow("system", "migrate", "--timeout", "1s")
	if r.code != 125 || !strings.Contains(r.stderr, fmt.Sprintf("pid %d (", cmd.Process.Pid)) || !strings.Contains(r.stderr, "build") {
		t.Errorf("migrate during a build: want 125 naming the build (pid %d); %s", cmd.Process.Pid, r)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("build during migrate: %v\n%s", err, out.String())
	}
	e.ok("system", "migrate")
	e.ok("run", "--rm", "--network", "none", "slow", "true")
}
