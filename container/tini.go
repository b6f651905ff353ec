package container

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// InitAnnotation in a spec asks for --init: a reaper stays PID 1, runs the
// command as its child, forwards signals to it and reaps every orphan, so
// a command that never expected to be PID 1 gets default signal handling
// and no zombies pile up.
const InitAnnotation = "burrow.init"

// ReapVerb is the hidden argv[1] of the reaper. The init execs it with the
// container's privileges already dropped, so the reaper holds no more than
// its command on any of its threads.
const ReapVerb = "__reap"

func wantsInit(spec *specs.Spec) bool { return spec.Annotations[InitAnnotation] == "true" }

// Reap is the --init reaper's life: argv is [name, ReapVerb, terminal,
// sync fd, path, args...]. It closes the sync socket once the command
// runs, so the parent counts the container as started only when a signal
// can reach the command, and exits with the command's status.
func Reap() int {
	if len(os.Args) < 6 {
		fmt.Fprintln(os.Stderr, "burrow-init: the reaper needs a command")
		return errdefs.ExitBurrow
	}
	signals := make(chan os.Signal, 32)
	signal.Notify(signals)
	fd, err := strconv.Atoi(os.Args[3])
	if err != nil {
		fmt.Fprintln(os.Stderr, "burrow-init: the reaper needs its sync socket")
		return errdefs.ExitBurrow
	}
	unix.CloseOnExec(fd)
	sync := os.NewFile(uintptr(fd), "sync")
	cmd := exec.Command(os.Args[4])
	cmd.Args = os.Args[5:]
	cmd.Env = withoutOurs(os.Environ())
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	if os.Args[2] == "true" {
		// The terminal is the reaper's; the command's group takes the foreground.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Foreground: true, Ctty: 0}
	}
	if err := cmd.Start(); err != nil {
		msg := fmt.Sprintf("exec %s: %v", cmd.Args[0], err)
		_ = sendMsg(sync, syncMsg{Type: msgError, Code: errdefs.ExitCannotExec, Message: msg}, nil)
		return errdefs.ExitCannotExec
	}
	sync.Close()
	child := cmd.Process.Pid
	go func() {
		for sig := range signals {
			if s, ok := sig.(syscall.Signal); ok && s != syscall.SIGCHLD && s != syscall.SIGURG {
				_ = unix.Kill(child, s)
			}
		}
	}()
	return reapUntil(child)
}

func withoutOurs(env []string) []string {
	out := env[:0:0]
	for _, kv := range env {
		if kv != envInUserns && !strings.HasPrefix(kv, envPreserveFDs+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// reapUntil reaps every child until the command itself exits and returns
// its exit code.
func reapUntil(child int) int {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return errdefs.ExitBurrow
		}
		if pid != child {
			continue
		}
		if ws.Signaled() {
			return errdefs.ExitSignalShift + int(ws.Signal())
		}
		return ws.ExitStatus()
	}
}
