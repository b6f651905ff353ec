package tests

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// The container boundary, one test per class of escape. Each was written
// against a runtime with the hole and fails there.

// Docker's default capabilities, as /proc/PID/status prints them.
const (
	defaultCaps = "00000000a80425fb"
	noCaps      = "0000000000000000"
)

// statusLine is what the boundary tests expect of a process's
// credentials, in one line: a partial drop on any thread shows.
func statusLine(eff string) string {
	return fmt.Sprintf("CapInh:0000000000000000 CapPrm:%s CapEff:%s CapBnd:%s CapAmb:0000000000000000 NoNewPrivs:1 Seccomp:2", eff, eff, defaultCaps)
}

// statusScript prints that line for PID (self by default) from inside.
func statusScript(pid string) string {
	return `grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/` + pid + `/status | tr -d ' \t' | tr '\n' ' '`
}

// busyboxEnv is a fresh store holding the busybox image.
func busyboxEnv(t *testing.T) *env {
	t.Helper()
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	return e
}

// runBinary runs bin (a burrow) with env's variables, stdin and extra
// descriptors (ExtraFiles[i] is fd 3+i).
func runBinary(t *testing.T, bin string, e *env, stdin *os.File, extra []*os.File, args ...string) result {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env, cmd.Stdin, cmd.ExtraFiles = e.vars, stdin, extra
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return r
}

// probeHelper is the static probe `make e2e` builds beside burrow.
func probeHelper(t *testing.T) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(burrowBin), "probe")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no probe at %s (make e2e builds it: CGO_ENABLED=0 go build -o bin/probe ./tests/probe): %v", path, err)
	}
	return path
}

// TestBoundaryCapabilitiesEveryStart: every thread of the init sheds the
// same privileges, so no start may exec with a wider set (it did in about
// one start of eight when the goroutine moved threads), for root, for
// another user, and for the --init reaper that stays PID 1.
func TestBoundaryCapabilitiesEveryStart(t *testing.T) {
	e := shared.forTest(t)
	type start struct {
		args []string
		want string
	}
	starts := []start{
		{[]string{"run", "--rm", "--network", "none", busyboxImage, "sh", "-c", statusScript("self")}, statusLine(defaultCaps)},
		{[]string{"run", "--rm", "--network", "none", "-u", "1000", busyboxImage, "sh", "-c", statusScript("self")}, statusLine(noCaps)},
		{[]string{"run", "--rm", "--network", "none", "--init", busyboxImage, "sh", "-c", statusScript("1")}, statusLine(defaultCaps)},
	}
	const n = 600
	var mu sync.Mutex
	bad := map[string]int{}
	jobs := make(chan start)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				r, err := e.exec("", s.args...)
				got := strings.TrimSpace(r.stdout)
				if err != nil || r.code != 0 || got != s.want {
					mu.Lock()
					bad[fmt.Sprintf("%v: %s (exit %d %s)", s.args[4:6], got, r.code, strings.TrimSpace(r.stderr))]++
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- starts[i%len(starts)]
	}
	close(jobs)
	wg.Wait()
	for what, count := range bad {
		t.Errorf("%d of %d starts: %s", count, n, what)
	}
}

// TestBoundaryExec: the exec'd command has the container's sets, never the
// helper's full ones, for root and for another user; a setuid-root binary
// gains nothing; the /proc masks hold under exec too.
func TestBoundaryExec(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("run", "-d", "--name", "x", "--network", "none", busyboxImage, "sh", "-c",
		"mkdir /s && cp /bin/busybox /s/id && chmod 4755 /s/id && touch /ready && exec sleep 1000")
	if !waitFor(30*time.Second, func() bool { return e.burrow("exec", "x", "test", "-e", "/ready").code == 0 }) {
		t.Fatal("the container did not get ready")
	}
	bad := 0
	for i := 0; i < 100; i++ {
		args, want := []string{"exec", "x", "sh", "-c", statusScript("self")}, statusLine(defaultCaps)
		if i%2 == 1 {
			args, want = []string{"exec", "-u", "1000", "x", "sh", "-c", statusScript("self")}, statusLine(noCaps)
		}
		if got := strings.TrimSpace(e.ok(args...)); got != want {
			bad++
			if bad < 3 {
				t.Errorf("exec %d: %s, want %s", i, got, want)
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of 100 execs had the wrong privileges", bad)
	}
	if out := e.ok("exec", "-u", "1000", "x", "/s/id", "-u"); out != "1000\n" {
		t.Errorf("a setuid-root binary under exec -u 1000 ran as %q", out)
	}
	r := e.burrow("exec", "x", "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("exec wrote /proc/sys: %s", r)
	}
	for _, masked := range []string{"/proc/keys", "/proc/timer_list", "/proc/interrupts"} {
		if _, err := os.Stat(masked); err != nil {
			continue // not in this kernel
		}
		if out := e.ok("exec", "x", "sh", "-c", "wc -c < "+masked); strings.TrimSpace(out) != "0" {
			t.Errorf("%s is readable under exec: %q bytes", masked, out)
		}
	}
	if r := e.burrow("exec", "x", "umount", "/proc/kcore"); r.code == 0 {
		t.Errorf("exec could unmount a /proc mask: %s", r)
	}
}

// TestBoundaryWrites: /proc/sys, /proc/sysrq-trigger and /sys refuse writes
// (a sysctl of the container's own network namespace, which the kernel
// would otherwise allow), and the masks hide what they should.
func TestBoundaryWrites(t *testing.T) {
	e := shared.forTest(t)
	scripts := []string{
		"echo 1 > /proc/sys/net/ipv4/ip_forward",
		"echo 1 > /sys/kernel/profiling",
		"mkdir /sys/fs/x",
	}
	if _, err := os.Stat("/proc/sysrq-trigger"); err == nil {
		scripts = append(scripts, "echo h > /proc/sysrq-trigger")
	}
	for _, script := range scripts {
		r := e.burrow("run", "--rm", "--network", "none", busyboxImage, "sh", "-c", script)
		if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
			t.Errorf("%s: %s", script, r)
		}
	}
	out := e.ok("run", "--rm", "--network", "none", busyboxImage, "sh", "-c",
		"for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug /proc/interrupts /proc/latency_stats; do [ -e $f ] && echo $f $(wc -c < $f); done; ls /sys/firmware | wc -l")
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.HasSuffix(line, "0") || strings.HasSuffix(line, "00") {
			t.Errorf("not masked (path and bytes, or entries of /sys/firmware): %q", line)
		}
	}
}

// TestBoundaryDescriptors: a descriptor the caller leaked (a directory on
// the host, here at fd 7) reaches neither run, run -d nor exec, and cannot
// serve as a working directory; --preserve-fds passes exactly what it says.
func TestBoundaryDescriptors(t *testing.T) {
	e := busyboxEnv(t)
	hostDir := t.TempDir()
	leak, err := os.Open(hostDir)
	if err != nil {
		t.Fatal(err)
	}
	defer leak.Close()
	withLeak := func(stdin *os.File, args ...string) result {
		t.Helper()
		// fd 7 is the leaked directory.
		return runBinary(t, burrowBin, e, stdin, []*os.File{nil, nil, nil, nil, leak}, args...)
	}
	escape := "ls /proc/self/fd | tr '\\n' ' '; echo x > /proc/self/fd/7/escape"
	if r := withLeak(nil, "run", "--rm", "--network", "none", busyboxImage, "sh", "-c", escape); r.code == 0 {
		t.Errorf("run: fd 7 reached the container: %s", r)
	}
	if r := withLeak(nil, "run", "-d", "--name", "d", "--network", "none", busyboxImage, "sh", "-c", escape+"; sleep 1000"); r.code != 0 {
		t.Fatalf("run -d: %s", r)
	}
	if r := withLeak(nil, "exec", "d", "sh", "-c", escape); r.code == 0 {
		t.Errorf("exec: fd 7 reached the container: %s", r)
	}
	var logs string
	waitFor(30*time.Second, func() bool {
		r := e.burrow("logs", "d")
		logs = r.stdout + r.stderr
		return strings.Contains(logs, "escape")
	})
	if !strings.Contains(logs, "can't create /proc/self/fd/7/escape") {
		t.Errorf("run -d: the leaked descriptor was usable: %q", logs)
	}
	for _, wd := range []string{"/proc/self/fd/7", "/proc/self/fd/0", "/proc/self/cwd", "/proc/1/root"} {
		root, _ := os.Open("/")
		r := withLeak(root, "run", "--rm", "--network", "none", "-w", wd, busyboxImage, "pwd")
		root.Close()
		if r.code != 125 {
			t.Errorf("-w %s (stdin the host's /): %s", wd, r)
		}
	}
	// Nor may the command itself be reached through a descriptor.
	root, _ := os.Open("/")
	r := withLeak(root, "run", "--rm", "-i", "--network", "none", busyboxImage, "/proc/self/fd/0/bin/sh", "-c", "echo escaped")
	root.Close()
	if r.code == 0 || strings.Contains(r.stdout, "escaped") {
		t.Errorf("a host binary ran through /proc/self/fd/0 (stdin the host's /): %s", r)
	}
	if entries, _ := os.ReadDir(hostDir); len(entries) != 0 {
		t.Errorf("the container wrote into the host directory: %v", entries)
	}
	// --preserve-fds 1 hands fd 3 on, and nothing above it.
	pass, err := os.Open("/etc/hostname")
	if err != nil {
		t.Fatal(err)
	}
	defer pass.Close()
	cmd := exec.Command(burrowBin, "run", "--rm", "--network", "none", "--preserve-fds", "1", busyboxImage, "sh", "-c", "ls /proc/self/fd | tr '\\n' ' '; head -c1 <&3 >/dev/null && echo read3")
	cmd.Env = e.vars
	cmd.ExtraFiles = []*os.File{pass, nil, nil, nil, leak}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "0 1 2 3 4 ") || strings.Contains(string(out), " 5 ") || !strings.Contains(string(out), "read3") {
		t.Errorf("--preserve-fds 1: %v: %s (want fds 0-3 and ls's own, fd 3 readable)", err, out)
	}
}

// TestBoundaryTerminal: without -t, a container started from a terminal
// has no controlling terminal and no terminal on its stdio, so it cannot
// push input into the user's shell (TIOCSTI) after burrow exits.
func TestBoundaryTerminal(t *testing.T) {
	e := busyboxEnv(t)
	probe := probeHelper(t)
	e.ok("run", "-d", "--name", "x", "--network", "none", busyboxImage, "sleep", "1000")
	check := "cut -d' ' -f7 /proc/self/stat; for f in 0 1 2; do [ -t $f ] && echo tty$f; done; /probe tiocsti"
	for _, args := range [][]string{
		{"run", "--rm", "-i", "--network", "none", "-v", probe + ":/probe:ro", busyboxImage, "sh", "-c", check},
		{"exec", "-i", "x", "sh", "-c", strings.ReplaceAll(check, "/probe", "true")},
	} {
		master, slave := openPTY(t)
		cmd := exec.Command(burrowBin, args...)
		cmd.Env = e.vars
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
		var out syncBuffer
		done := make(chan struct{})
		go func() { _, _ = io.Copy(&out, master); close(done) }()
		err := cmd.Run()
		slave.Close()
		<-done
		master.Close()
		got := strings.Fields(strings.ReplaceAll(out.String(), "\r", ""))
		if err != nil || len(got) == 0 || got[0] != "0" || strings.Contains(out.String(), "tty") || strings.Contains(out.String(), "ok") {
			t.Errorf("%s: %v: %q (want tty_nr 0, no tty on 0-2, TIOCSTI refused)", args[0], err, out.String())
		}
	}
}

// TestBoundaryKeyring: a key in the user's session keyring is out of reach
// (a new session keyring per container), for root and another user, even
// without the seccomp filter that also refuses keyctl.
func TestBoundaryKeyring(t *testing.T) {
	e := busyboxEnv(t)
	probe := probeHelper(t)
	desc := fmt.Sprintf("burrow-test-%d", os.Getpid())
	if _, err := unix.AddKey("user", desc, []byte("secret"), unix.KEY_SPEC_SESSION_KEYRING); err != nil {
		t.Skipf("cannot add a key (keyrings off?): %v", err)
	}
	if _, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", desc, 0); err != nil {
		t.Fatalf("the test's own key is not found: %v", err)
	}
	for _, user := range []string{"0", "1000"} {
		out := e.ok("run", "--rm", "--network", "none", "-u", user, "--security-opt", "seccomp=unconfined",
			"-v", probe+":/probe:ro", busyboxImage, "/probe", "key", desc)
		if strings.TrimSpace(out) == "ok" {
			t.Errorf("user %s found the caller's key in the container", user)
		}
	}
}

// TestBoundarySeccomp: docker's default filter is on in run and exec; the
// calls it refuses fail; seccomp=unconfined turns it off.
func TestBoundarySeccomp(t *testing.T) {
	e := busyboxEnv(t)
	probe := probeHelper(t)
	want := "unshare=EPERM keyctl=EPERM personality=EPERM io_uring_setup=EPERM"
	run := []string{"run", "--rm", "--network", "none", "-v", probe + ":/probe:ro"}
	if out := strings.TrimSpace(e.ok(append(run, busyboxImage, "/probe", "syscalls")...)); out != want {
		t.Errorf("run: %s, want %s", out, want)
	}
	e.ok(append([]string{"run", "-d", "--name", "x", "--network", "none", "-v", probe + ":/probe:ro"}, busyboxImage, "sleep", "1000")...)
	if out := strings.TrimSpace(e.ok("exec", "x", "/probe", "syscalls")); out != want {
		t.Errorf("exec: %s, want %s", out, want)
	}
	out := e.ok(append(run, "--security-opt", "seccomp=unconfined", busyboxImage, "sh", "-c", "grep Seccomp: /proc/self/status; /probe syscalls")...)
	// unshare(CLONE_NEWUSER) is EINVAL in a threaded process: EPERM is the filter's.
	if !strings.Contains(out, "Seccomp:\t0") || strings.Contains(out, "unshare=EPERM") || !strings.Contains(out, "keyctl=ok") {
		t.Errorf("seccomp=unconfined: %s", out)
	}
	if r := e.burrow("run", "--rm", "--security-opt", "seccomp=/nonexistent.json", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "nonexistent.json") {
		t.Errorf("missing profile: %s", r)
	}
	if r := e.burrow("run", "--rm", "--security-opt", "apparmor=x", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "apparmor=x") {
		t.Errorf("unknown security option: %s", r)
	}
}

// TestBoundaryHelperBinary: burrow's own binaries, which run in the
// container as the --init reaper and the exec helper, cannot be rewritten
// through /proc/PID/exe even when the user owns them (CVE-2019-5736):
// container root is the user.
func TestBoundaryHelperBinary(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"burrow", "burrow-init", "probe"} {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(burrowBin), name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	before, _ := os.ReadFile(filepath.Join(dir, "burrow-init"))
	e := newEnv(t)
	bin := filepath.Join(dir, "burrow")
	run := func(args ...string) result { return runBinary(t, bin, e, nil, nil, args...) }
	tarPath := filepath.Join(e.dir, "bb.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	if r := run("import", "-q", tarPath, busyboxImage); r.code != 0 {
		t.Fatal(r)
	}
	r := run("run", "--rm", "--init", "--network", "none", "-v", filepath.Join(dir, "probe")+":/probe:ro", busyboxImage, "/probe", "writeexe", "1")
	if got := strings.TrimSpace(r.stdout); got != "EROFS" {
		t.Errorf("open /proc/1/exe (the reaper) for writing: %q, want EROFS: %s", got, r)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "burrow-init"))
	if !bytes.Equal(before, after) {
		t.Error("burrow-init on the host was changed from inside a container")
	}
}

// TestBoundaryProcesses: a container sees and signals only its own
// processes, not another container's nor the host's.
func TestBoundaryProcesses(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("run", "-d", "--name", "victim", "--network", "none", busyboxImage, "sleep", "1000")
	pid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "victim"))
	out := e.ok("run", "--rm", "--network", "none", busyboxImage, "sh", "-c",
		fmt.Sprintf("ps -o args | grep -c '[s]leep 1000'; kill -9 %s 1>/dev/null 2>&1 && echo killed; kill -9 %d 1>/dev/null 2>&1 && echo killedhost; true", pid, os.Getpid()))
	if strings.TrimSpace(out) != "0" {
		t.Errorf("another container's or the host's processes were visible or signalled: %q", out)
	}
	if state := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Running}}", "victim")); state != "true" {
		t.Errorf("the victim is no longer running: %s", state)
	}
}

// TestBoundaryMountSwap: a mount destination inside a volume that another
// container swaps between a directory and a symlink to a host path, while
// this container starts (CVE-2021-30465), always lands inside the root:
// the bind is found in the container every time, at the directory or
// where the symlink leads inside the root, never mounted out of sight.
func TestBoundaryMountSwap(t *testing.T) {
	e := busyboxEnv(t)
	exchange := exchangeHelper(t)
	shared, src, outside := t.TempDir(), t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "marker"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(outside, "mnt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(shared, "d", "mnt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(shared, "l")); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "swapper", "--network", "none", "-v", shared+":/shared", "-v", exchange+":/exchange:ro",
		busyboxImage, "/exchange", "/shared/d", "/shared/l")
	find := "for i in 1 2 3 4 5 6 7 8 9 10; do for p in /shared/d/mnt /shared/l/mnt " + outside + "/mnt; do " +
		"[ -e $p/marker ] && echo found && exit 0; done; done; echo lost"
	lost, failed := 0, 0
	for i := 0; i < 50; i++ {
		r := e.burrow("run", "--rm", "--network", "none", "-v", shared+":/shared", "-v", src+":/shared/d/mnt",
			busyboxImage, "sh", "-c", find)
		switch {
		case r.code != 0:
			failed++
			if failed < 3 {
				t.Logf("start %d: %s", i, r)
			}
		case strings.TrimSpace(r.stdout) != "found":
			lost++
		}
	}
	if lost > 0 {
		t.Errorf("%d of 50 starts mounted the bind outside the container's root", lost)
	}
	if failed > 0 {
		t.Errorf("%d of 50 starts failed", failed)
	}
	if entries, _ := os.ReadDir(filepath.Join(outside, "mnt")); len(entries) != 0 {
		t.Errorf("the host directory behind the symlink got %v", entries)
	}
}
