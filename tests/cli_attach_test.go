package tests

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startAttach runs `burrow attach ARGS` with a pipe for stdin.
func startAttach(t *testing.T, e *env, args ...string) (*exec.Cmd, io.WriteCloser, *syncBuffer, chan error) {
	t.Helper()
	cmd := exec.Command(burrowBin, append([]string{"attach"}, args...)...)
	cmd.Env = e.vars
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	return cmd, in, out, done
}

func waitDone(t *testing.T, what string, done chan error, out *syncBuffer) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s: attach did not end; output %q", what, out.String())
	}
}

// TestCLIAttachStdin: attach sends stdin to a container started -d -i
// (also -t), the detach keys leave it running, --detach-keys "" passes
// them on, --no-stdin sends nothing.
func TestCLIAttachStdin(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "-i", "--name", "rd", busyboxImage, "sh", "-c", "read x; echo got:$x; read y; echo got2:$y; exit 3")

	cmd, in, out, done := startAttach(t, e, "rd")
	if _, err := io.WriteString(in, "hello\n"); err != nil {
		t.Fatal(err)
	}
	if !waitFor(20*time.Second, func() bool { return strings.Contains(out.String(), "got:hello") }) {
		t.Fatalf("attach did not pass stdin on: output %q", out.String())
	}
	_, _ = io.WriteString(in, "\x10\x11")
	waitDone(t, "ctrl-p,ctrl-q", done, out)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("detach: exit %d, output %q", code, out.String())
	}
	if s := e.ok("inspect", "--format", "{{.State.Running}}", "rd"); strings.TrimSpace(s) != "true" {
		t.Errorf("after detaching the container is not running: %q", s)
	}

	// No detach keys: the same bytes reach the container.
	cmd, in, out, done = startAttach(t, e, "--detach-keys", "", "rd")
	_, _ = io.WriteString(in, "\x10\x11world\n")
	waitDone(t, `--detach-keys ""`, done, out)
	if code := cmd.ProcessState.ExitCode(); code != 3 || !strings.Contains(out.String(), "got2:\x10\x11world") {
		t.Errorf(`--detach-keys "": exit %d, output %q; want the keys passed on and exit 3`, code, out.String())
	}

	// A sequence of the user's own; a held-back prefix that turns out not
	// to be it is passed on.
	e.ok("run", "-d", "-i", "--name", "ca", busyboxImage, "sh", "-c", "read x; echo got:$x; sleep 30")
	cmd, in, out, done = startAttach(t, e, "--detach-keys", "ctrl-a,x", "ca")
	_, _ = io.WriteString(in, "a\x01b\n")
	if !waitFor(20*time.Second, func() bool { return strings.Contains(out.String(), "got:a\x01b") }) {
		t.Fatalf("custom keys: output %q", out.String())
	}
	_, _ = io.WriteString(in, "\x01x")
	waitDone(t, "ctrl-a,x", done, out)
	if code := cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("ctrl-a,x: exit %d", code)
	}

	// --no-stdin: the container reads nothing.
	e.ok("run", "-d", "-i", "--name", "ns", busyboxImage, "sh", "-c", "sleep 1; read -t 3 x; echo got:[$x]")
	cmd, in, out, done = startAttach(t, e, "--no-stdin", "ns")
	_, _ = io.WriteString(in, "leak\n")
	waitDone(t, "--no-stdin", done, out)
	if code := cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(out.String(), "got:[]") {
		t.Errorf("--no-stdin: output %q; want nothing read", out.String())
	}

	// A terminal: the input goes through the container's pty.
	e.ok("run", "-d", "-i", "-t", "--name", "tt", busyboxImage, "sh", "-c", "read x; echo tty:$x")
	cmd, in, out, done = startAttach(t, e, "tt")
	_, _ = io.WriteString(in, "abc\n")
	waitDone(t, "-t", done, out)
	if code := cmd.ProcessState.ExitCode(); code != 0 || !strings.Contains(out.String(), "tty:abc") {
		t.Errorf("-t: exit %d, output %q", code, out.String())
	}

	if r := e.burrow("attach", "--detach-keys", "ctrl-1", "ca"); r.code != 125 || !strings.Contains(r.stderr, "ctrl-1") {
		t.Errorf("bad --detach-keys: %s", r)
	}
}

// TestCLIAttachLogDriverNone: attach follows a container that keeps no
// log (--log-driver none) live, stdout and stderr apart, to its exit code;
// with -i it passes stdin on; two attaches see the same output.
func TestCLIAttachLogDriverNone(t *testing.T) {
	e := detachedEnv(t)
	// It says "waiting" until the test, having seen that both attaches
	// follow, lets it go on through a file in a bind-mounted directory.
	sync := t.TempDir()
	if err := os.Chmod(sync, 0o777); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "quiet", "--log-driver", "none", "--network", "none", "-v", sync+":/sync", busyboxImage, "sh", "-c",
		"until [ -e /sync/go ]; do echo waiting; sleep 0.1; done; i=0; while [ $i -lt 30 ]; do i=$((i+1)); echo out$i; echo err$i >&2; sleep 0.05; done; exit 3")
	type attached struct {
		cmd         *exec.Cmd
		out, errout *syncBuffer
		done        chan error
	}
	start := func() attached {
		cmd := exec.Command(burrowBin, "attach", "--no-stdin", "quiet")
		cmd.Env = e.vars
		a := attached{cmd: cmd, out: &syncBuffer{}, errout: &syncBuffer{}, done: make(chan error, 1)}
		cmd.Stdout, cmd.Stderr = a.out, a.errout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill() })
		go func() { a.done <- cmd.Wait() }()
		return a
	}
	var want, wantErr strings.Builder
	for i := 1; i <= 30; i++ {
		want.WriteString("out" + itoa(i) + "\n")
		wantErr.WriteString("err" + itoa(i) + "\n")
	}
	both := []attached{start(), start()}
	for _, a := range both {
		if !waitFor(20*time.Second, func() bool { return strings.Contains(a.out.String(), "waiting\n") }) {
			t.Fatalf("attach shows nothing of a --log-driver none container: stdout %q stderr %q", a.out, a.errout)
		}
	}
	if err := os.WriteFile(filepath.Join(sync, "go"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, a := range both {
		waitDone(t, "attach", a.done, a.out)
		out := strings.ReplaceAll(a.out.String(), "waiting\n", "")
		if code := a.cmd.ProcessState.ExitCode(); code != 3 || out != want.String() || a.errout.String() != wantErr.String() {
			t.Errorf("attach to a --log-driver none container: exit %d\nstdout %q\nstderr %q\nwant exit 3 and every line on its stream", code, a.out, a.errout)
		}
	}

	e.ok("run", "-d", "-i", "--name", "asks", "--log-driver", "none", "--network", "none", busyboxImage, "sh", "-c", "read x; echo got:$x; exit 4")
	cmd, in, out, done := startAttach(t, e, "asks")
	if _, err := io.WriteString(in, "hello\n"); err != nil {
		t.Fatal(err)
	}
	waitDone(t, "attach -i", done, out)
	if code := cmd.ProcessState.ExitCode(); code != 4 || out.String() != "got:hello\n" {
		t.Errorf("attach with stdin to a --log-driver none container: exit %d, output %q; want got:hello and exit 4", code, out.String())
	}
	if r := e.burrow("logs", "quiet"); r.code == 0 {
		t.Errorf("logs of a --log-driver none container: %s, want the refusal", r)
	}
}
