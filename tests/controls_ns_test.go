package tests

import (
	"os"
	"strings"
	"testing"
	"time"
)

// TestControlsSharedNamespaces: --pid, --ipc and --uts container:X join X's
// namespaces (its processes, its /dev/shm, its host name; again when
// started after X restarted), host modes join
// burrow's (the host's), inspect shows the modes, joining a container that
// is not running is refused, and a container whose namespace another one
// uses is removed only with -f.
func TestControlsSharedNamespaces(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("run", "-d", "--name", "app", "--network", "none", "--ipc", "shareable", busyboxImage, "sleep", "1000")
	run := func(args ...string) string {
		return e.ok(append([]string{"run", "--rm", "--network", "none"}, args...)...)
	}
	if out := run("--pid", "container:app", busyboxImage, "ps"); !strings.Contains(out, "sleep 1000") {
		t.Errorf("--pid container:app does not show app's sleep: %q", out)
	}
	if out := run(busyboxImage, "ps"); strings.Contains(out, "sleep 1000") {
		t.Errorf("a private PID namespace shows app's sleep: %q", out)
	}
	run("--ipc", "container:app", busyboxImage, "sh", "-c", "echo shared > /dev/shm/note")
	if out := e.ok("exec", "app", "cat", "/dev/shm/note"); out != "shared\n" {
		t.Errorf("--ipc container:app: app's /dev/shm has %q", out)
	}
	appIPC := e.ok("exec", "app", "readlink", "/proc/self/ns/ipc")
	if out := run("--ipc", "container:app", busyboxImage, "readlink", "/proc/self/ns/ipc"); out != appIPC {
		t.Errorf("--ipc container:app: namespace %q, app's %q", out, appIPC)
	}
	appHost := e.ok("exec", "app", "hostname")
	if out := run("--uts", "container:app", busyboxImage, "hostname"); out != appHost {
		t.Errorf("--uts container:app: host name %q, app's %q", out, appHost)
	}
	for _, ns := range []struct{ flag, file string }{{"--pid", "pid"}, {"--ipc", "ipc"}, {"--uts", "uts"}, {"--cgroupns", "cgroup"}} {
		own, err := os.Readlink("/proc/self/ns/" + ns.file)
		if err != nil {
			t.Fatal(err)
		}
		if out := run(ns.flag, "host", busyboxImage, "readlink", "/proc/self/ns/"+ns.file); out != own+"\n" {
			t.Errorf("%s host: %q, the host's is %q", ns.flag, out, own)
		}
		if out := run(busyboxImage, "readlink", "/proc/self/ns/"+ns.file); out == own+"\n" {
			t.Errorf("without %s host the container has the host's %s namespace", ns.flag, ns.file)
		}
	}
	e.ok("run", "--name", "pj", "--network", "container:app", "--pid", "container:app", busyboxImage, "sh", "-c", "ps; readlink /proc/self/ns/net")
	e.ok("restart", "-t", "0", "app")
	appNet := e.ok("exec", "app", "readlink", "/proc/self/ns/net")
	if out := e.ok("start", "-a", "pj"); !strings.Contains(out, "sleep 1000") || !strings.HasSuffix(out, appNet) {
		t.Errorf("pj started again after app restarted does not see app's sleep and network (%q): %q", appNet, out)
	}
	e.ok("create", "--name", "j", "--network", "none", "--pid", "container:app", "--ipc", "container:app", "--uts", "container:app", "--cgroupns", "host", busyboxImage, "true")
	if out := e.ok("inspect", "--format", "{{.HostConfig.PidMode}} {{.HostConfig.IpcMode}} {{.HostConfig.UTSMode}} {{.HostConfig.CgroupnsMode}}", "j", "app"); out != "container:app container:app container:app host\n shareable  private\n" {
		t.Errorf("inspect: %q", out)
	}
	e.ok("create", "--name", "idle", busyboxImage, "true")
	if r := e.burrow("run", "--rm", "--network", "none", "--pid", "container:idle", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "not running") {
		t.Errorf("--pid container:idle (created, not running): %s", r)
	}
	e.ok("run", "-d", "--name", "user", "--network", "none", "--ipc", "container:app", busyboxImage, "sleep", "1000")
	e.ok("stop", "-t", "0", "app")
	if r := e.burrow("rm", "app"); r.code != 125 || !strings.Contains(r.stderr, "user") {
		t.Errorf("rm of app, whose IPC namespace user shares: %s", r)
	}
	e.ok("rm", "-f", "app")
}

// TestControlsExecCaps: exec --cap-add, --cap-drop and --privileged change
// the capabilities of that command only.
func TestControlsExecCaps(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("run", "-d", "--name", "c", "--network", "none", busyboxImage, "sleep", "1000")
	addAddr := []string{"sh", "-c", "ip addr add 10.1.1.1/32 dev lo && echo done"}
	if out := e.ok(append([]string{"exec", "--cap-add", "NET_ADMIN", "c"}, addAddr...)...); out != "done\n" {
		t.Errorf("exec --cap-add NET_ADMIN: %q", out)
	}
	if r := e.burrow(append([]string{"exec", "c"}, addAddr...)...); r.code == 0 {
		t.Errorf("exec without NET_ADMIN added an address: %s", r)
	}
	capEff := func(args ...string) string {
		return strings.TrimSpace(e.ok(append(append([]string{"exec"}, args...), "c", "grep", "CapEff", "/proc/self/status")...))
	}
	plain, priv, none := capEff(), capEff("--privileged"), capEff("--cap-drop", "ALL")
	if priv == plain || !strings.HasSuffix(priv, "ffffffffff") || none != "CapEff:\t0000000000000000" {
		t.Errorf("exec: plain %q, --privileged %q, --cap-drop ALL %q", plain, priv, none)
	}
	if r := e.burrow("exec", "--cap-add", "NOT_A_CAP", "c", "true"); r.code != 125 || !strings.Contains(r.stderr, "NOT_A_CAP") {
		t.Errorf("exec --cap-add NOT_A_CAP: %s", r)
	}
}

// TestControlsStopSignal: stop sends --stop-signal and waits
// --stop-timeout; inspect shows both.
func TestControlsStopSignal(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("run", "-d", "--name", "usr1", "--network", "none", "--stop-signal", "SIGUSR1", "--stop-timeout", "20", busyboxImage,
		"sh", "-c", `trap "echo got USR1; exit 3" USR1; echo ready; while true; do sleep 0.1; done`)
	if !waitFor(10*time.Second, func() bool { return e.ok("logs", "usr1") == "ready\n" }) {
		t.Fatal("the container did not get ready")
	}
	e.ok("stop", "usr1")
	if out := e.ok("inspect", "--format", "{{.State.ExitCode}} {{.Config.StopSignal}} {{.Config.StopTimeout}}", "usr1"); out != "3 SIGUSR1 20\n" {
		t.Errorf("after stop: %q, want exit 3 from the USR1 trap", out)
	}
	e.ok("run", "-d", "--name", "deaf", "--network", "none", "--stop-timeout", "1", busyboxImage,
		"sh", "-c", `trap "" TERM; echo ready; while true; do sleep 0.1; done`)
	if !waitFor(10*time.Second, func() bool { return e.ok("logs", "deaf") == "ready\n" }) {
		t.Fatal("the container did not get ready")
	}
	start := time.Now()
	e.ok("stop", "deaf")
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("stop of a container with --stop-timeout 1 took %v (the default waits 10 s)", took)
	}
	if out := e.ok("inspect", "--format", "{{.State.ExitCode}}", "deaf"); out != "137\n" {
		t.Errorf("deaf after stop: exit %q, want 137", out)
	}
}

// TestControlsSharedNamespacesAutoRestart: a container that joins app's
// namespaces and has --restart always dies with app's PID namespace when
// app restarts; its monitor starts it again in app's new namespaces (the
// paths of the last start name a process that is gone).
func TestControlsSharedNamespacesAutoRestart(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("run", "-d", "--name", "app", "--network", "none", "--ipc", "shareable", busyboxImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "side", "--restart", "always", "--network", "container:app",
		"--pid", "container:app", "--ipc", "container:app", "--uts", "container:app", busyboxImage, "sleep", "2000")
	e.ok("restart", "-t", "0", "app")
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := e.ok("inspect", "--format", "{{.State.Status}} {{.RestartCount}}", "side")
		if strings.HasPrefix(out, "running ") && out != "running 0\n" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("side was not restarted in app's new namespaces: %q", out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if out := e.ok("exec", "side", "ps"); !strings.Contains(out, "sleep 1000") {
		t.Errorf("side after its restart does not see app's new sleep: %q", out)
	}
	for _, ns := range []string{"pid", "ipc", "uts", "net"} {
		app := e.ok("exec", "app", "readlink", "/proc/self/ns/"+ns)
		if side := e.ok("exec", "side", "readlink", "/proc/self/ns/"+ns); side != app {
			t.Errorf("%s namespace after the restarts: side %q, app %q", ns, side, app)
		}
	}
	// app stopped for good: side's next restart has nothing to join, says
	// so in its log and keeps the exit code its command had.
	e.ok("stop", "-t", "0", "app")
	if !waitFor(20*time.Second, func() bool { return e.ok("inspect", "--format", "{{.State.Status}}", "side") == "exited\n" }) {
		t.Fatalf("side after app stopped: %q", e.ok("inspect", "--format", "{{.State.Status}}", "side"))
	}
	if r := e.burrow("logs", "side"); !strings.Contains(r.stderr, "restart failed") || !strings.Contains(r.stderr, "not running") {
		t.Errorf("side's log does not say why it was not restarted: %s", r)
	}
	if out := e.ok("inspect", "--format", "{{.State.ExitCode}}", "side"); out == "0\n" {
		t.Errorf("side's exit code after a failed restart: %q, want its command's (killed)", out)
	}
	e.ok("rm", "-f", "side", "app")
}

// TestControlsShareableShmSize: --shm-size sizes a shareable /dev/shm,
// which a container joining with --ipc container: sees; joining a private
// IPC namespace, or --shm-size on the joiner, is refused by name; rm takes
// the /dev/shm mount away.
func TestControlsShareableShmSize(t *testing.T) {
	e := busyboxEnv(t)
	df := "df -k /dev/shm | awk 'NR==2 {print $2}'"
	e.ok("run", "-d", "--name", "app", "--network", "none", "--ipc", "shareable", "--shm-size", "8m", busyboxImage, "sleep", "1000")
	if out := e.ok("exec", "app", "sh", "-c", df); out != "8192\n" {
		t.Errorf("--ipc shareable --shm-size 8m: app's /dev/shm has %q KiB", out)
	}
	if out := e.ok("run", "--rm", "--network", "none", "--ipc", "container:app", busyboxImage, "sh", "-c", df+"; echo hi > /dev/shm/x"); out != "8192\n" {
		t.Errorf("--ipc container:app: /dev/shm has %q KiB, app's is 8192", out)
	}
	if out := e.ok("exec", "app", "cat", "/dev/shm/x"); out != "hi\n" {
		t.Errorf("app's /dev/shm does not have what the joiner wrote: %q", out)
	}
	e.ok("run", "-d", "--name", "dflt", "--network", "none", "--ipc", "shareable", busyboxImage, "sleep", "1000")
	if out := e.ok("exec", "dflt", "sh", "-c", df); out != "65536\n" {
		t.Errorf("--ipc shareable: /dev/shm has %q KiB, want docker's 64m", out)
	}
	e.ok("run", "-d", "--name", "priv", "--network", "none", busyboxImage, "sleep", "1000")
	if r := e.burrow("run", "--rm", "--network", "none", "--ipc", "container:priv", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--ipc shareable") {
		t.Errorf("--ipc container:priv (private): %s", r)
	}
	if r := e.burrow("run", "--rm", "--network", "none", "--ipc", "container:app", "--shm-size", "1m", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--shm-size") {
		t.Errorf("--shm-size with --ipc container:app: %s", r)
	}
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "app"))
	if !strings.Contains(e.holderMounts(t), id) {
		t.Fatalf("no mount of app's shareable /dev/shm in the holder")
	}
	e.ok("stop", "-t", "0", "app")
	e.ok("start", "app")
	if out := e.ok("exec", "app", "sh", "-c", df); out != "8192\n" {
		t.Errorf("app started again: /dev/shm has %q KiB", out)
	}
	e.ok("rm", "-f", "app", "dflt", "priv")
	if m := e.holderMounts(t); strings.Contains(m, id) {
		t.Errorf("rm -f app left mounts of it:\n%s", m)
	}
}
