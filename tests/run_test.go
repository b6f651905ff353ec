package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRunEcho(t *testing.T) {
	e := shared.forTest(t)
	if out := e.ok("run", "--rm", busyboxImage, "echo", "hello"); out != "hello\n" {
		t.Fatalf("stdout %q, want hello", out)
	}
}

func TestRunExitCodes(t *testing.T) {
	e := shared.forTest(t)
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"sh", "-c", "exit 3"}, 3, ""},
		{[]string{"false"}, 1, ""},
		{[]string{"nosuchcmd"}, 127, "Error: "},
		{[]string{"/etc/passwd"}, 126, "Error: "},
		{[]string{"sh", "-c", "sleep 60 & kill -9 $!; wait $!"}, 137, ""},
	}
	for _, c := range cases {
		r := e.burrow(append([]string{"run", "--rm", busyboxImage}, c.args...)...)
		if r.code != c.code || !strings.Contains(r.stderr, c.stderr) {
			t.Errorf("run %v: %s; want exit %d and stderr containing %q", c.args, r, c.code, c.stderr)
		}
	}
}

func TestRunUnknownImage(t *testing.T) {
	r := shared.forTest(t).burrow("run", "--rm", "no-such-image:v9", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "no-such-image:v9") {
		t.Fatalf("%s; want exit 125 naming the image", r)
	}
}

func TestRunMalformedFlags(t *testing.T) {
	e := shared.forTest(t)
	for _, args := range [][]string{
		{"run", "--no-such-flag", busyboxImage, "true"},
		{"run"},
		{"run", "--rm", "-v", "./relative:/x", busyboxImage, "true"}, // "relative" alone names a volume
		{"run", "--rm", "-v", "/nonexistent-burrow-src:/x", busyboxImage, "true"},
		{"run", "--rm", "--network", "bogus", busyboxImage, "true"},
		{"run", "--rm", "-e", "=x", busyboxImage, "true"},
		{"run", "--rm", "--env-file", "/nonexistent-env-file", busyboxImage, "true"},
		{"run", "--rm", "-w", "relative", busyboxImage, "true"},
	} {
		r := e.burrow(args...)
		if r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") {
			t.Errorf("burrow %v: %s; want exit 125 and an Error: line", args, r)
		}
	}
}

// TestRunIsolation checks what a container sees of the host.
func TestRunIsolation(t *testing.T) {
	e := shared.forTest(t)
	out := e.ok("run", "--rm", "--network", "none", "--hostname", "boxhost", busyboxImage, "sh", "-c",
		"ps -o pid= | wc -l; hostname; ip -o link | wc -l; ip -o link; id -u; cat /proc/self/uid_map")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 6 {
		t.Fatalf("unexpected output:\n%s", out)
	}
	// ps itself, sh and the pipeline's wc: only the container's own processes.
	if n := strings.TrimSpace(lines[0]); n != "3" && n != "2" {
		t.Errorf("container sees %s processes, want only its own (2-3):\n%s", n, out)
	}
	if lines[1] != "boxhost" {
		t.Errorf("hostname %q, want boxhost", lines[1])
	}
	if strings.TrimSpace(lines[2]) != "1" || !strings.Contains(lines[3], "lo:") {
		t.Errorf("links: want only lo, got:\n%s", out)
	}
	if lines[4] != "0" {
		t.Errorf("id -u = %s, want 0", lines[4])
	}
	uidMap := strings.Join(lines[5:], "\n")
	own, _ := os.ReadFile("/proc/self/uid_map")
	if !strings.Contains(uidMap, fmt.Sprint(os.Getuid())) || strings.Count(uidMap, "\n") < 1 {
		t.Errorf("uid_map in the container:\n%s\nwant the user plus a subordinate range (host map: %s)", uidMap, own)
	}
}

func TestRunDefaultHostnameIsContainerID(t *testing.T) {
	out := strings.TrimSpace(shared.forTest(t).ok("run", "--rm", busyboxImage, "hostname"))
	if len(out) != 12 || strings.Trim(out, "0123456789abcdef") != "" {
		t.Fatalf("hostname %q, want a 12-hex container ID", out)
	}
}

func TestRunEnvWorkdirUser(t *testing.T) {
	e := shared.forTest(t)
	envFile := filepath.Join(t.TempDir(), "env")
	if err := os.WriteFile(envFile, []byte("# comment\nFROMFILE=yes\nBOTH=file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.ok("run", "--rm", "-e", "FOO=bar", "-e", "BOTH=flag", "--env-file", envFile, "-w", "/work/dir", "-u", "user",
		busyboxImage, "sh", "-c", `echo "$FOO $FROMFILE $BOTH"; pwd; id -u; id -g; echo "$HOME"`)
	want := "bar yes flag\n/work/dir\n1000\n1000\n/home/user\n"
	if out != want {
		t.Fatalf("got:\n%s\nwant:\n%s", out, want)
	}
	if out := e.ok("run", "--rm", "-u", "1234:5678", busyboxImage, "sh", "-c", "id -u; id -g"); out != "1234\n5678\n" {
		t.Fatalf("numeric user: got %q", out)
	}
}

func TestRunEntrypoint(t *testing.T) {
	e := shared.forTest(t)
	if out := e.ok("run", "--rm", "--entrypoint", "echo", busyboxImage, "a", "b"); out != "a b\n" {
		t.Fatalf("--entrypoint echo a b: %q", out)
	}
}

func TestRunStdin(t *testing.T) {
	e := shared.forTest(t)
	r, err := e.exec("piped input\n", "run", "--rm", "-i", busyboxImage, "cat")
	if err != nil || r.code != 0 || r.stdout != "piped input\n" {
		t.Fatalf("run -i cat: %v %s", err, r)
	}
	// Without -i the container reads nothing.
	r, err = e.exec("should not arrive\n", "run", "--rm", busyboxImage, "cat")
	if err != nil || r.code != 0 || r.stdout != "" {
		t.Fatalf("run cat without -i: %v %s", err, r)
	}
}

func TestRunVolumesAndTmpfs(t *testing.T) {
	e := shared.forTest(t)
	host := t.TempDir()
	if err := os.WriteFile(filepath.Join(host, "in"), []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.ok("run", "--rm", "-v", host+":/data", "--tmpfs", "/scratch:size=1m", busyboxImage, "sh", "-c",
		"cat /data/in; echo out > /data/out; touch /scratch/x && echo tmpfs-ok; grep -c ' /scratch tmpfs' /proc/mounts")
	if out != "from host\ntmpfs-ok\n1\n" {
		t.Fatalf("got %q", out)
	}
	if data, err := os.ReadFile(filepath.Join(host, "out")); err != nil || string(data) != "out\n" {
		t.Fatalf("write through bind: %q %v", data, err)
	}
	r := e.burrow("run", "--rm", "-v", host+":/data:ro", busyboxImage, "sh", "-c", "cat /data/in; echo x > /data/ro-write")
	if r.code == 0 || r.stdout != "from host\n" || !strings.Contains(r.stderr, "Read-only file system") {
		t.Fatalf(":ro bind: %s; want it readable and a write refused with Read-only file system", r)
	}
	if _, err := os.Stat(filepath.Join(host, "ro-write")); err == nil {
		t.Fatal("file written through a :ro bind")
	}
}

// TestRunOwnershipOnHost: a file made by uid 1000 inside belongs on the
// host to the matching subordinate uid.
func TestRunOwnershipOnHost(t *testing.T) {
	e := shared.forTest(t)
	host := t.TempDir()
	if err := os.Chmod(host, 0o777); err != nil {
		t.Fatal(err)
	}
	uidMap := e.ok("run", "--rm", busyboxImage, "cat", "/proc/self/uid_map")
	var inside, outside, size int
	found := false
	for _, line := range strings.Split(strings.TrimSpace(uidMap), "\n") {
		if _, err := fmt.Sscan(line, &inside, &outside, &size); err == nil && inside <= 1000 && 1000 < inside+size {
			found = true
			break
		}
	}
	if !found {
		// Only a user without subordinate IDs gets the single-ID mapping;
		// for anyone else it is a regression.
		if ranges := subordinateRanges(t); ranges != "" {
			t.Fatalf("uid 1000 is not mapped although the user has subordinate IDs (%s): %s", ranges, uidMap)
		}
		t.Skipf("uid 1000 is not mapped: the user has no /etc/subuid range, hence a single-ID mapping: %s", uidMap)
	}
	e.ok("run", "--rm", "-v", host+":/data", busyboxImage, "sh", "-c", "touch /data/f && chown 1000:1000 /data/f")
	fi, err := os.Stat(filepath.Join(host, "f"))
	if err != nil {
		t.Fatal(err)
	}
	want := uint32(outside + 1000 - inside)
	if got := fi.Sys().(*syscall.Stat_t).Uid; got != want {
		t.Fatalf("host owner of the file: %d, want %d (map %q)", got, want, uidMap)
	}
	e.ok("unshare", "rm", "-f", filepath.Join(host, "f"))
}

func TestRunWritesStayInContainer(t *testing.T) {
	e := shared.forTest(t)
	marker := fmt.Sprintf("burrow-leak-%d", os.Getpid())
	e.ok("run", "--rm", busyboxImage, "sh", "-c", "echo x > /tmp/"+marker+"; echo x > /"+marker)
	for _, p := range []string{"/tmp/" + marker, "/" + marker, filepath.Join(os.Getenv("HOME"), marker)} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("container write reached the host: %s", p)
		}
	}
	// Each run starts from the image, not from the last container's changes.
	if out := e.ok("run", "--rm", busyboxImage, "sh", "-c", "ls /tmp"); strings.Contains(out, marker) {
		t.Errorf("a new container saw the previous one's file")
	}
}

func TestRunReadOnly(t *testing.T) {
	e := shared.forTest(t)
	r := e.burrow("run", "--rm", "--read-only", busyboxImage, "touch", "/newfile")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Fatalf("--read-only root: %s; want the write refused with Read-only file system", r)
	}
	if out := e.ok("run", "--rm", "--read-only", "--tmpfs", "/tmp", busyboxImage, "touch", "/tmp/ok"); out != "" {
		t.Fatalf("unexpected output %q", out)
	}
}

func TestRunMasksAndCapabilities(t *testing.T) {
	e := shared.forTest(t)
	out := e.ok("run", "--rm", busyboxImage, "grep", "-E", "^(CapBnd|CapEff|NoNewPrivs)", "/proc/self/status")
	// docker's default set: 0x00000000a80425fb.
	if !strings.Contains(out, "CapBnd:\t00000000a80425fb") || !strings.Contains(out, "CapEff:\t00000000a80425fb") {
		t.Errorf("capabilities are not docker's default set:\n%s", out)
	}
	if !strings.Contains(out, "NoNewPrivs:\t1") {
		t.Errorf("no_new_privs missing:\n%s", out)
	}
	if out := e.ok("run", "--rm", "-u", "1000", busyboxImage, "grep", "^CapEff", "/proc/self/status"); !strings.Contains(out, "0000000000000000") {
		t.Errorf("non-root user keeps capabilities: %s", out)
	}
}

// TestRunReadOnlyProcSys: the container's root owns its network namespace,
// so the kernel itself would let it set that namespace's ip_forward; only
// the read-only /proc/sys mount stops it. (kernel/hostname would not do:
// the kernel refuses it to any root outside the initial user namespace.)
func TestRunReadOnlyProcSys(t *testing.T) {
	e := shared.forTest(t)
	r := e.burrow("run", "--rm", "--network", "none", busyboxImage, "sh", "-c",
		"cat /proc/sys/net/ipv4/ip_forward; echo 1 > /proc/sys/net/ipv4/ip_forward")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only file system") {
		t.Errorf("writing the container's own net/ipv4/ip_forward: %s; want it refused with Read-only file system", r)
	}
	// Read-only, not hidden.
	if v := strings.TrimSpace(r.stdout); v != "0" && v != "1" {
		t.Errorf("reading net/ipv4/ip_forward: %s", r)
	}
}

// TestRunMaskedPaths: every default masked path the host has is covered in
// the container: files by /dev/null (character device 1,3), directories by
// an empty tmpfs.
func TestRunMaskedPaths(t *testing.T) {
	e := shared.forTest(t)
	// The list is pinned here rather than read from ocispec, so a path
	// dropped from the defaults shows.
	masked := []string{"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
		"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
		"/proc/interrupts", "/sys/firmware", "/sys/devices/virtual/powercap",
		"/sys/fs/selinux", "/sys/dev/block"}
	var script []string
	checked := 0
	for _, p := range masked {
		fi, err := os.Stat(p)
		switch {
		case err != nil:
			continue // nothing to hide on this host
		case fi.IsDir():
			script = append(script, fmt.Sprintf(`echo "%s dir $(ls -A %s | wc -l) $(stat -f -c %%T %s)"`, p, p, p))
		default:
			script = append(script, fmt.Sprintf(`echo "%s file $(cat %s | wc -c) $(stat -c %%t,%%T %s)"`, p, p, p))
		}
		checked++
	}
	if checked < 5 {
		t.Fatalf("only %d of the default masked paths exist on this host; the check would show little", checked)
	}
	out := e.ok("run", "--rm", busyboxImage, "sh", "-c", strings.Join(script, "; "))
	t.Logf("masked paths in the container:\n%s", out)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != checked {
		t.Fatalf("want %d lines, got:\n%s", checked, out)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		if len(f) != 4 {
			t.Errorf("unexpected line %q", l)
			continue
		}
		if (f[1] == "file" && (f[2] != "0" || f[3] != "1,3")) || (f[1] == "dir" && (f[2] != "0" || f[3] != "tmpfs")) {
			t.Errorf("%s is not masked: %s", f[0], l)
		}
	}
}

// TestRunRmLeavesNothing: no mount, record or state file after --rm.
func TestRunRmLeavesNothing(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	before := strings.Count(e.holderMounts(t), "overlay")
	e.ok("run", "--rm", "--name", "gone", busyboxImage, "true")
	if after := strings.Count(e.holderMounts(t), "overlay"); after != before {
		t.Errorf("overlay mounts in the holder: %d before, %d after run --rm", before, after)
	}
	if entries := listDir(t, filepath.Join(e.dir, "run", "burrow", "containers")); len(entries) != 0 {
		t.Errorf("state files left: %v", entries)
	}
	// The name is free again: the record is gone.
	e.ok("run", "--rm", "--name", "gone", busyboxImage, "true")
	// Without --rm the name stays taken.
	e.ok("run", "--name", "kept", busyboxImage, "true")
	if r := e.burrow("run", "--name", "kept", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "kept") {
		t.Errorf("reusing a container name: %s; want exit 125 naming it", r)
	}
}

// TestRunForwardsSignals: a signal sent to burrow reaches the container's
// process (here a shell that traps it).
func TestRunForwardsSignals(t *testing.T) {
	e := shared.forTest(t)
	cmd := exec.Command(burrowBin, "run", "--rm", busyboxImage, "sh", "-c",
		`trap 'echo got-term; exit 42' TERM; echo ready; while true; do sleep 0.1; done`)
	cmd.Env = e.vars
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(20*time.Second, func() bool { return strings.Contains(out.String(), "ready") }) {
		_ = cmd.Process.Kill()
		t.Fatalf("container never became ready: %q", out.String())
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if cmd.ProcessState.ExitCode() != 42 || !strings.Contains(out.String(), "got-term") {
		t.Fatalf("after SIGTERM: %v, exit %d, output %q; want the trap's exit 42", err, cmd.ProcessState.ExitCode(), out.String())
	}
}

// subordinateRanges is the test user's /etc/subuid entry, if any.
func subordinateRanges(t *testing.T) string {
	data, err := os.ReadFile("/etc/subuid")
	if err != nil && !os.IsNotExist(err) {
		t.Fatalf("reading /etc/subuid: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, os.Getenv("USER")+":") || strings.HasPrefix(line, itoa(os.Getuid())+":") {
			return line
		}
	}
	return ""
}

// minbaseTar is a debootstrap minbase made by tests/setup.
const minbaseTar = "/var/cache/burrow-test/minbase.tar"

// TestRunDebianMinbase: a realistic image keeps its files' owners through
// the subordinate mapping, and its tools run.
func TestRunDebianMinbase(t *testing.T) {
	if _, err := os.Stat(minbaseTar); err != nil {
		t.Skipf("no Debian minbase (tests/setup builds it with debootstrap when a mirror is reachable): %v", err)
	}
	e := newEnv(t)
	e.ok("import", "-q", "--change", `CMD ["/bin/bash"]`, minbaseTar, "debian:minbase")
	out := e.ok("run", "--rm", "debian:minbase", "bash", "-c",
		"stat -c '%G %g %A' /usr/bin/chage; apt-get --version | head -1; id -un; su -s /bin/sh nobody -c 'id -u'")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || lines[0] != "shadow 42 -rwxr-sr-x" || !strings.HasPrefix(lines[1], "apt ") || lines[2] != "root" || lines[3] != "65534" {
		t.Fatalf("unexpected output from the minbase image:\n%s", out)
	}
}

// TestRunWithoutInitBinary: without burrow-init beside it, burrow serves
// as its own container init, exec helper and monitor.
func TestRunWithoutInitBinary(t *testing.T) {
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(burrowBin)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(dir, "burrow")
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	e := detachedEnv(t)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(alone, args...)
		cmd.Env = e.vars
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("burrow (no burrow-init) %v: %v %s", args, err, out)
		}
		return string(out)
	}
	if out := run("run", "--rm", busyboxImage, "echo", "alone"); out != "alone\n" {
		t.Fatalf("run: %q", out)
	}
	run("run", "-d", "--name", "solo", busyboxImage, "sleep", "1000")
	monitors := processesRunning(alone)
	if len(monitors) == 0 {
		t.Errorf("no process runs from %s: the monitor is not burrow itself", alone)
	}
	if out := run("exec", "solo", "echo", "exec-ok"); out != "exec-ok\n" {
		t.Errorf("exec: %q", out)
	}
	run("rm", "-f", "solo")
	if !waitFor(10*time.Second, func() bool { return len(processesRunning(alone)) == 0 }) {
		t.Errorf("processes of %s left after rm -f: %v", alone, processesRunning(alone))
	}
}
