package container

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// InitAnnotation in a spec asks for --init: the init stays PID 1, runs the
// command as its child, forwards signals to it and reaps every orphan, so
// a command that never expected to be PID 1 gets default signal handling
// and no zombies pile up.
const InitAnnotation = "burrow.init"

func wantsInit(spec *specs.Spec) bool { return spec.Annotations[InitAnnotation] == "true" }

// superviseProcess runs p as the child of this PID 1 and exits with its status.
func superviseProcess(p *specs.Process, sync *os.File) error {
	if err := os.MkdirAll(p.Cwd, 0o755); err != nil {
		return fmt.Errorf("create working directory %s: %w", p.Cwd, err)
	}
	signals := make(chan os.Signal, 32)
	signal.Notify(signals)
	// The terminal, if any, is already this process's stdio: the child
	// inherits it rather than getting one of its own.
	inherit := *p
	inherit.Terminal = false
	cmd, err := execCommand(&inherit, sync)
	if err != nil {
		return err
	}
	if p.Terminal {
		// The terminal is this process's; the command's group takes the foreground.
		cmd.SysProcAttr.Setpgid, cmd.SysProcAttr.Foreground, cmd.SysProcAttr.Ctty = true, true, 0
	}
	unix.CloseOnExec(int(sync.Fd()))
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("exec %s: %w", p.Args[0], err)
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
	os.Exit(reapUntil(child))
	return nil
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
			return 125
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
