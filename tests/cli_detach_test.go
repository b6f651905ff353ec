package tests

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// screen is what the terminal has shown so far.
func (term *terminal) screen() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.out.String()
}

func (e *env) running(t *testing.T, name string) bool {
	t.Helper()
	return strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Running}}", name)) == "true"
}

// TestCLIRunDetachKeys: ctrl-p,ctrl-q in a foreground run -it leaves the
// container running under a monitor that logs it; attach takes it up
// again; custom keys, --detach-keys "" and start -ai.
func TestCLIRunDetachKeys(t *testing.T) {
	e := detachedEnv(t)

	term := startTerminal(t, e, 24, 80, "run", "-it", "--name", "dk", busyboxImage, "sh")
	term.send("echo in-$((1+2))\r")
	term.expect("in-3")
	term.send("\x10\x11")
	if code := term.wait(); code != 0 {
		t.Fatalf("detach: exit %d; screen %q", code, term.screen())
	}
	if s := term.screen(); strings.Contains(s, "rror") {
		t.Errorf("detach printed an error: %q", s)
	}
	if !e.running(t, "dk") {
		t.Fatal("after the detach keys the container is not running")
	}
	// Its monitor keeps it: what it shows from now on is logged.
	e.ok("exec", "dk", "sh", "-c", "echo logged-$((5+5)) > /proc/1/fd/1")
	if !waitFor(10*time.Second, func() bool { return strings.Contains(e.ok("logs", "dk"), "logged-10") }) {
		t.Errorf("logs after the detach: %q", e.ok("logs", "dk"))
	}
	if logs := e.ok("logs", "dk"); !strings.Contains(logs, "in-3") {
		t.Errorf("the attached session is not in the log: %q", logs)
	}

	// attach takes it up again, live: resizes reach it, the keys detach
	// again, and its exit is attach's.
	att := startTerminal(t, e, 24, 80, "attach", "dk")
	att.send("echo back-$((2+2))\r")
	att.expect("back-4")
	if err := unix.IoctlSetWinsize(int(att.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 33, Col: 77}); err != nil {
		t.Fatal(err)
	}
	_ = syscall.Kill(att.cmd.Process.Pid, syscall.SIGWINCH)
	time.Sleep(200 * time.Millisecond)
	att.send("stty size\r")
	att.expect("33 77")
	att.send("\x10\x11")
	if code := att.wait(); code != 0 || !e.running(t, "dk") {
		t.Fatalf("detach from attach: exit %d, running %v", code, e.running(t, "dk"))
	}
	att = startTerminal(t, e, 24, 80, "attach", "dk")
	att.send("exit 5\r")
	if code := att.wait(); code != 5 {
		t.Errorf("attach after a detach: exit %d; screen %q", code, att.screen())
	}
	if got := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.ExitCode}}", "dk")); got != "5" {
		t.Errorf("exit code after attach: %q", got)
	}

	// An exit while attached is run's exit code; --rm removes it.
	term = startTerminal(t, e, 24, 80, "run", "-it", "--rm", "--name", "gone", busyboxImage, "sh")
	term.send("exit 7\r")
	if code := term.wait(); code != 7 {
		t.Errorf("run -it --rm: exit %d", code)
	}
	if r := e.burrow("container", "exists", "gone"); r.code != 1 {
		t.Errorf("run -it --rm left the container: %s", r)
	}
	// burrow took the end over from the monitor: the death is logged once.
	if got := e.ok("events", "--stream=false", "--since", "1m", "--filter", "container=gone", "--filter", "event=died", "--format", "{{.ContainerExitCode}}"); got != "7\n" {
		t.Errorf("died of run -it --rm: %q", got)
	}

	// A killed burrow is a detach too: the monitor keeps the container.
	term = startTerminal(t, e, 24, 80, "run", "-it", "--name", "orphan", busyboxImage, "sh")
	term.send("echo up-$((1+1))\r")
	term.expect("up-2")
	_ = term.cmd.Process.Kill()
	term.wait()
	if !e.running(t, "orphan") {
		t.Fatal("the container died with its killed burrow")
	}
	e.ok("stop", "-t", "1", "orphan")
	if got := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Status}}", "orphan")); got != "exited" {
		t.Errorf("orphan after stop: %q", got)
	}

	// Keys of the user's own: docker's default is then just input.
	term = startTerminal(t, e, 24, 80, "run", "-it", "--rm", "--name", "ck", "--detach-keys", "ctrl-a,x", busyboxImage, "sh")
	term.send("\x10\x11")
	term.send("echo still-$((3+3))\r")
	term.expect("still-6")
	term.send("\x01x")
	if code := term.wait(); code != 0 {
		t.Fatalf("ctrl-a,x: exit %d; screen %q", code, term.screen())
	}
	if !e.running(t, "ck") {
		t.Fatal("after ctrl-a,x the container is not running")
	}
	e.ok("rm", "-f", "ck")

	// No keys: the bytes reach the container (raw, so the pty's own flow
	// control does not eat ^Q).
	term = startTerminal(t, e, 24, 80, "run", "-it", "--rm", "--detach-keys", "", busyboxImage,
		"sh", "-c", "stty raw -echo; head -c 2 | od -An -tx1; exit 4")
	time.Sleep(500 * time.Millisecond) // past stty
	term.send("\x10\x11")
	term.expect("10 11")
	if code := term.wait(); code != 4 {
		t.Errorf(`--detach-keys "": exit %d; screen %q`, code, term.screen())
	}

	// start -ai of a container made with -it.
	e.ok("create", "-it", "--name", "sa", busyboxImage, "sh")
	term = startTerminal(t, e, 24, 80, "start", "-ai", "sa")
	term.send("echo st-$((4+4))\r")
	term.expect("st-8")
	term.send("\x10\x11")
	if code := term.wait(); code != 0 {
		t.Fatalf("start -ai detach: exit %d; screen %q", code, term.screen())
	}
	if !e.running(t, "sa") {
		t.Fatal("after detaching start -ai the container is not running")
	}
	e.ok("rm", "-f", "sa")

	if r := e.burrow("run", "-it", "--detach-keys", "ctrl-", busyboxImage, "true"); r.code != 125 {
		t.Errorf("bad --detach-keys: %s", r)
	}
}

// TestCLIExecDetachKeys: ctrl-p,ctrl-q leaves an exec -it command
// running; its end is still logged (exec_died with its exit code).
func TestCLIExecDetachKeys(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "xd", "--network", "none", busyboxImage, "sleep", "300")
	nap := fmt.Sprint(4000 + os.Getpid()%1000) // names this test's sleep among the host's processes

	term := startTerminal(t, e, 24, 80, "exec", "-it", "xd", "sh", "-c", "echo started-$((2*3)); exec sleep "+nap)
	term.expect("started-6")
	term.send("\x10\x11")
	if code := term.wait(); code != 0 {
		t.Fatalf("detach: exit %d; screen %q", code, term.screen())
	}
	time.Sleep(300 * time.Millisecond)
	pids := processesWith("sleep " + nap)
	if len(pids) != 1 {
		t.Fatalf("after the detach keys the exec'd command is not running: %v", pids)
	}
	// Nothing of the monitor's crossed: only the terminal's 0, 1 and 2.
	if fds := listDir(t, fmt.Sprintf("/proc/%d/fd", pids[0])); len(fds) != 3 {
		var names []string
		for _, f := range fds {
			target, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pids[0], f.Name()))
			names = append(names, f.Name()+"->"+target)
		}
		t.Errorf("the exec'd command holds more than its terminal: %v", names)
	}
	// Nor does its helper (the parent that waits for it) hold burrow's
	// end of the client socket, which only the exec monitor may.
	stat, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pids[0]))
	if f := strings.Fields(string(stat)[strings.LastIndexByte(string(stat), ')')+1:]); len(f) > 1 {
		for _, fd := range listDir(t, "/proc/"+f[1]+"/fd") {
			if target, _ := os.Readlink("/proc/" + f[1] + "/fd/" + fd.Name()); strings.HasPrefix(target, "socket:") {
				t.Errorf("the exec helper %s holds %s (fd %s)", f[1], target, fd.Name())
			}
		}
	}
	if err := syscall.Kill(pids[0], syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	died := func() string {
		return e.ok("events", "--stream=false", "--since", "1m", "--filter", "event=exec_died", "--format", "{{.Name}} {{.ContainerExitCode}}")
	}
	if !waitFor(10*time.Second, func() bool { return died() == "xd 143\n" }) {
		t.Errorf("exec_died of the detached command: %q", died())
	}

	// Attached to the end, its exit code is exec's.
	term = startTerminal(t, e, 24, 80, "exec", "-it", "xd", "sh", "-c", "exit 6")
	if code := term.wait(); code != 6 {
		t.Errorf("exec -it exit code: %d", code)
	}
	// Custom keys; the default ones are then input.
	term = startTerminal(t, e, 24, 80, "exec", "-it", "--detach-keys", "ctrl-a,x", "xd", "sh")
	term.send("\x10\x11")
	term.send("echo still-$((3+3))\r")
	term.expect("still-6")
	term.send("\x01x")
	if code := term.wait(); code != 0 {
		t.Errorf("ctrl-a,x: exit %d; screen %q", code, term.screen())
	}
}
