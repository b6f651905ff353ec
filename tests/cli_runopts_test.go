package tests

import (
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestCLIUmaskTimeout: --umask is the command's umask (0022 by default,
// whatever burrow's own is); --timeout kills a container, foreground or
// detached, once its time is up.
func TestCLIUmaskTimeout(t *testing.T) {
	e := detachedEnv(t)
	if got := e.ok("run", "--rm", "--umask", "0077", busyboxImage, "sh", "-c", "umask; touch /tmp/f; stat -c %a /tmp/f"); got != "0077\n600\n" {
		t.Errorf("--umask 0077: %q", got)
	}
	if got := e.ok("run", "--rm", busyboxImage, "sh", "-c", "umask"); got != "0022\n" {
		t.Errorf("default umask: %q", got)
	}
	e.ok("run", "-d", "--name", "um", "--umask", "027", busyboxImage, "sh", "-c", "umask")
	e.ok("wait", "um")
	if got := e.ok("logs", "um"); got != "0027\n" {
		t.Errorf("--umask with -d: %q", got)
	}
	if r := e.burrow("run", "--rm", "--umask", "0999", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "umask") {
		t.Errorf("bad umask: %s", r)
	}

	start := time.Now()
	if r := e.burrow("run", "--rm", "--timeout", "1", busyboxImage, "sleep", "30"); r.code != 137 || time.Since(start) > 15*time.Second {
		t.Errorf("--timeout 1 in the foreground: %s after %v", r, time.Since(start))
	}
	start = time.Now()
	e.ok("run", "-d", "--name", "to", "--timeout", "1", busyboxImage, "sleep", "30")
	if r := e.burrow("wait", "to"); r.stdout != "137\n" || time.Since(start) > 15*time.Second {
		t.Errorf("--timeout 1 with -d: %s after %v", r, time.Since(start))
	}
	// No timeout: a short command ends by itself.
	if r := e.burrow("run", "--rm", "--timeout", "20", busyboxImage, "true"); r.code != 0 {
		t.Errorf("--timeout longer than the command: %s", r)
	}
}

// TestCLIRunAttachSigProxy: run -a picks the streams a foreground run
// shows; --sig-proxy=false keeps burrow's signals from the container.
func TestCLIRunAttachSigProxy(t *testing.T) {
	e := detachedEnv(t)
	script := "echo out; echo err >&2"
	if r := e.burrow("run", "--rm", "-a", "stdout", busyboxImage, "sh", "-c", script); r.code != 0 || r.stdout != "out\n" || r.stderr != "" {
		t.Errorf("-a stdout: %s", r)
	}
	if r := e.burrow("run", "--rm", "-a", "stderr", busyboxImage, "sh", "-c", script); r.code != 0 || r.stdout != "" || r.stderr != "err\n" {
		t.Errorf("-a stderr: %s", r)
	}
	if r := e.burrow("run", "--rm", "-a", "stdout", "-a", "stderr", busyboxImage, "sh", "-c", script); r.stdout != "out\n" || r.stderr != "err\n" {
		t.Errorf("-a stdout -a stderr: %s", r)
	}
	// -i without -a stdin: the container's stdin is not burrow's.
	if r, err := e.exec("fed\n", "run", "--rm", "-i", "-a", "stdout", busyboxImage, "sh", "-c", "read -t 2 x; echo [$x]"); err != nil || r.stdout != "[]\n" {
		t.Errorf("-i -a stdout: %s %v", r, err)
	}
	if r, err := e.exec("fed\n", "run", "--rm", "-i", "-a", "stdin", "-a", "stdout", busyboxImage, "sh", "-c", "read -t 2 x; echo [$x]"); err != nil || r.stdout != "[fed]\n" {
		t.Errorf("-i -a stdin -a stdout: %s %v", r, err)
	}
	for _, args := range [][]string{{"-a", "stdlog"}, {"-d", "-a", "stdout"}} {
		if r := e.burrow(append(append([]string{"run", "--rm"}, args...), busyboxImage, "true")...); r.code != 125 {
			t.Errorf("run %v: %s", args, r)
		}
	}

	loop := `trap "echo got-term; exit 5" TERM; echo ready; for i in $(seq 30); do sleep 0.1; done; echo done`
	for _, tc := range []struct {
		proxy string
		code  int
		out   string
	}{{"true", 5, "got-term"}, {"false", 0, "done"}} {
		cmd := exec.Command(burrowBin, "run", "--rm", "--sig-proxy="+tc.proxy, busyboxImage, "sh", "-c", loop)
		cmd.Env = e.vars
		var out syncBuffer
		cmd.Stdout = &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if !waitFor(20*time.Second, func() bool { return strings.Contains(out.String(), "ready") }) {
			_ = cmd.Process.Kill()
			t.Fatalf("never ready: %q", out.String())
		}
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if code := cmd.ProcessState.ExitCode(); code != tc.code || !strings.Contains(out.String(), tc.out) {
			t.Errorf("--sig-proxy=%s, SIGTERM to burrow: exit %d, output %q; want %d and %q", tc.proxy, code, out.String(), tc.code, tc.out)
		}
	}
}
