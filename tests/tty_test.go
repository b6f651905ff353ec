package tests

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// terminal is burrow run on a real pty, driven like a person at a keyboard.
type terminal struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
}

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty available: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	fd, _, errno := unix.Syscall(unix.SYS_IOCTL, m.Fd(), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY)
	if errno != 0 {
		t.Fatal(errno)
	}
	return m, os.NewFile(fd, "slave")
}

func startTerminal(t *testing.T, e *env, rows, cols uint16, args ...string) *terminal {
	return startTerminalCmd(t, e.vars, rows, cols, burrowBin, args...)
}

// startTerminalCmd runs any program (the docker CLI) on a new terminal.
func startTerminalCmd(t *testing.T, vars []string, rows, cols uint16, name string, args ...string) *terminal {
	master, slave := openPTY(t)
	if err := unix.IoctlSetWinsize(int(master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols}); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(append([]string{}, vars...), "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	term := &terminal{t: t, master: master, cmd: cmd}
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := master.Read(buf)
			term.mu.Lock()
			term.out.Write(buf[:n])
			term.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		master.Close()
	})
	return term
}

func (term *terminal) send(s string) {
	if _, err := term.master.Write([]byte(s)); err != nil {
		term.t.Fatalf("type %q: %v", s, err)
	}
}

// expect waits until the screen so far contains want.
func (term *terminal) expect(want string) {
	term.t.Helper()
	ok := waitFor(20*time.Second, func() bool {
		term.mu.Lock()
		defer term.mu.Unlock()
		return strings.Contains(term.out.String(), want)
	})
	if !ok {
		term.mu.Lock()
		defer term.mu.Unlock()
		term.t.Fatalf("terminal never showed %q; it shows:\n%s", want, term.out.String())
	}
}

func (term *terminal) wait() int {
	done := make(chan struct{})
	go func() { _ = term.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		term.t.Helper()
		term.t.Fatalf("burrow %v did not exit; the screen:\n%s", term.cmd.Args[1:], term.screen())
	}
	return term.cmd.ProcessState.ExitCode()
}

// TestTTYInteractiveShell: a shell on a real terminal, through a monitor
// (the default: the detach keys may leave it running) and as burrow's own
// child (--detach-keys "").
func TestTTYInteractiveShell(t *testing.T) {
	for name, keys := range map[string]string{"monitor": "ctrl-p,ctrl-q", "child": ""} {
		t.Run(name, func(t *testing.T) { ttyShell(t, "tty-"+name, keys) })
	}
}

func ttyShell(t *testing.T, name, keys string) {
	e := shared.forTest(t)
	term := startTerminal(t, e, 31, 97, "run", "--rm", "-it", "--name", name, "--detach-keys", keys, busyboxImage, "sh")
	term.send("tty; stty size; echo calc-$((6*7))\r")
	term.expect("/dev/pts/0")
	term.expect("31 97")
	term.expect("calc-42")

	// Resize the outer terminal: burrow forwards SIGWINCH's new size.
	if err := unix.IoctlSetWinsize(int(term.master.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 120}); err != nil {
		t.Fatal(err)
	}
	_ = syscall.Kill(-term.cmd.Process.Pid, syscall.SIGWINCH)
	// The container's terminal has the new size once burrow forwarded it:
	// read it through the shell's own stdin.
	shell, err := strconv.Atoi(strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", name)))
	if err != nil {
		t.Fatal(err)
	}
	size := func() string {
		f, err := os.Open(fmt.Sprintf("/proc/%d/fd/0", shell))
		if err != nil {
			return err.Error()
		}
		defer f.Close()
		ws, err := unix.IoctlGetWinsize(int(f.Fd()), unix.TIOCGWINSZ)
		if err != nil {
			return err.Error()
		}
		return fmt.Sprintf("%d %d", ws.Row, ws.Col)
	}
	if !waitFor(20*time.Second, func() bool { return size() == "40 120" }) {
		t.Fatalf("the container's terminal never took the new size: %s", size())
	}
	term.send("stty size\r")
	term.expect("40 120")

	// ^C interrupts the foreground command, not the shell.
	nap := fmt.Sprint(30 + os.Getpid()%1000) // names this test's sleep among the host's processes
	term.send("sleep " + nap + "; echo not-$((2+3))-interrupted\r")
	if !waitFor(20*time.Second, func() bool { return len(processesWith("sleep "+nap)) > 0 }) {
		t.Fatal("the shell never started sleep")
	}
	term.send("\x03")
	term.send("echo after-$((1+1))\r")
	term.expect("after-2")

	// ^D at the prompt ends the shell and burrow with it.
	term.send("\x04")
	if code := term.wait(); code != 0 {
		t.Fatalf("exit code after ^D: %d", code)
	}
	term.mu.Lock()
	defer term.mu.Unlock()
	if strings.Contains(term.out.String(), "not-5-interrupted") {
		t.Fatal("^C did not interrupt sleep")
	}
}

func TestTTYExitCode(t *testing.T) {
	term := startTerminal(t, shared.forTest(t), 24, 80, "run", "--rm", "-t", busyboxImage, "sh", "-c", "echo in-tty; exit 7")
	term.expect("in-tty")
	if code := term.wait(); code != 7 {
		t.Fatalf("exit code %d, want 7", code)
	}
}
