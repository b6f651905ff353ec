package tests

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCLIForegroundLog: a foreground run without a terminal keeps its
// output in the container's log (stdout and stderr apart) while passing it
// on unchanged, start -a appends to it, --log-driver none keeps nothing.
func TestCLIForegroundLog(t *testing.T) {
	e := detachedEnv(t)
	r := e.burrow("run", "--name", "fg", busyboxImage, "sh", "-c", "echo out1; echo err1 >&2; echo out2; exit 3")
	if r.code != 3 || r.stdout != "out1\nout2\n" || r.stderr != "err1\n" {
		t.Fatalf("foreground run: %s", r)
	}
	if r := e.burrow("logs", "fg"); r.code != 0 || r.stdout != "out1\nout2\n" || r.stderr != "err1\n" {
		t.Errorf("logs after a foreground run: %s", r)
	}
	if r := e.burrow("start", "-a", "fg"); r.code != 3 || r.stdout != "out1\nout2\n" || r.stderr != "err1\n" {
		t.Errorf("start -a: %s", r)
	}
	if r := e.burrow("logs", "fg"); r.stdout != "out1\nout2\nout1\nout2\n" || r.stderr != "err1\nerr1\n" {
		t.Errorf("logs after start -a: %s", r)
	}

	r = e.burrow("run", "--name", "quiet", "--log-driver", "none", busyboxImage, "sh", "-c", "echo shown; echo also >&2")
	if r.code != 0 || r.stdout != "shown\n" || r.stderr != "also\n" {
		t.Errorf("foreground run with --log-driver none: %s", r)
	}
	if r := e.burrow("logs", "quiet"); r.code != 125 || strings.Contains(r.stdout, "shown") {
		t.Errorf("logs of a none-driver foreground run: %s", r)
	}

	path := filepath.Join(e.dir, "fg.log")
	e.ok("run", "--rm", "--log-opt", "path="+path, busyboxImage, "echo", "to-path")
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), `"log":"to-path\n","stream":"stdout"`) {
		t.Errorf("foreground log at --log-opt path: %q, %v", data, err)
	}

	// run -a stdout: stderr is not shown, but logged (as docker does).
	r = e.burrow("run", "--name", "half", "-a", "stdout", busyboxImage, "sh", "-c", "echo seen; echo unseen >&2")
	if r.code != 0 || r.stdout != "seen\n" || strings.Contains(r.stderr, "unseen") {
		t.Errorf("run -a stdout: %s", r)
	}
	if r := e.burrow("logs", "half"); r.stdout != "seen\n" || r.stderr != "unseen\n" {
		t.Errorf("logs of run -a stdout: %s", r)
	}
}

// TestCLIForegroundBinary: 5 MB of random bytes reach burrow's stdout
// byte for byte through the logging copy; the exit code stays the
// container's.
func TestCLIForegroundBinary(t *testing.T) {
	e := detachedEnv(t)
	r := e.burrow("run", "--name", "bin", busyboxImage, "sh", "-c",
		"head -c 5242880 /dev/urandom >/tmp/b && busybox sha256sum /tmp/b >&2 && cat /tmp/b; exit 7")
	if r.code != 7 || len(r.stdout) != 5242880 {
		t.Fatalf("binary run: exit %d, %d bytes, stderr %q", r.code, len(r.stdout), r.stderr)
	}
	sum := sha256.Sum256([]byte(r.stdout))
	if want := strings.Fields(r.stderr); len(want) == 0 || want[0] != hex.EncodeToString(sum[:]) {
		t.Errorf("stdout's sha256 %x, the container's %q", sum, r.stderr)
	}
}

// TestCLIForegroundInteractive: run -i cat echoes each line before the
// next is written (the copy adds no buffering), and keeps them in the log;
// logs -f from elsewhere follows a foreground run to its end.
func TestCLIForegroundInteractive(t *testing.T) {
	e := detachedEnv(t)
	cmd := exec.Command(burrowBin, "run", "-i", "--name", "cat", busyboxImage, "cat")
	cmd.Env = e.vars
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		br := bufio.NewReader(stdout)
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				close(lines)
				return
			}
			lines <- l
		}
	}()
	for _, l := range []string{"ping1\n", "ping2\n", "ping3\n"} {
		if _, err := io.WriteString(stdin, l); err != nil {
			t.Fatal(err)
		}
		select {
		case got := <-lines:
			if got != l {
				t.Fatalf("echo %q, want %q", got, l)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no echo of %q (stderr %s)", l, stderr.String())
		}
	}
	stdin.Close()
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("run -i cat: %v: %s", err, stderr.String())
	}
	if got := e.ok("logs", "cat"); got != "ping1\nping2\nping3\n" {
		t.Errorf("logs of run -i: %q", got)
	}

	run := exec.Command(burrowBin, "run", "--rm", "--name", "follow", busyboxImage, "sh", "-c", "echo first; sleep 3; echo second")
	run.Env = e.vars
	if err := run.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = run.Wait() }()
	if !waitFor(20*time.Second, func() bool {
		r, _ := e.exec("", "logs", "follow")
		return r.stdout == "first\n"
	}) {
		t.Fatal("the foreground run's first line never reached its log")
	}
	if got := e.ok("logs", "-f", "follow"); got != "first\nsecond\n" {
		t.Errorf("logs -f of a foreground run: %q", got)
	}
}

// TestCLIForegroundBrokenPipe: when burrow's reader goes away, the
// container meets the broken pipe as it did writing there itself, and
// burrow survives to clean up.
func TestCLIForegroundBrokenPipe(t *testing.T) {
	e := detachedEnv(t)
	cmd := exec.Command(burrowBin, "run", "--rm", "--name", "yes", busyboxImage, "busybox", "yes")
	cmd.Env = e.vars
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if l, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || l != "y\n" {
		t.Fatalf("first line %q, %v", l, err)
	}
	stdout.Close()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("burrow did not end after its stdout closed")
	}
	// Killed by SIGPIPE (141), or told EPIPE where the signal is ignored.
	if code := cmd.ProcessState.ExitCode(); code != 141 && !(code == 1 && strings.Contains(stderr.String(), "Broken pipe")) {
		t.Errorf("exit %d, want yes to meet the broken pipe; stderr %s", code, stderr.String())
	}
	if got := e.ok("ps", "-aq"); got != "" {
		t.Errorf("containers left: %q", got)
	}
}

// TestCLIForegroundTerminalLog: run -t in the foreground (no detach keys,
// so no monitor) keeps its terminal's output in the log too.
func TestCLIForegroundTerminalLog(t *testing.T) {
	e := detachedEnv(t)
	r := e.burrow("run", "-t", "--name", "tty", busyboxImage, "sh", "-c", "printf 'prompt> '; echo typed; exit 4")
	if r.code != 4 || !strings.Contains(r.stdout, "prompt> typed") {
		t.Fatalf("run -t: %s", r)
	}
	if got := e.ok("logs", "tty"); got != r.stdout {
		t.Errorf("logs of run -t: %q, want what it printed, %q", got, r.stdout)
	}
}
