package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"syscall"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ExecInit is the exec helper's life, already inside the container's
// namespaces (joinErr is the constructor's report). Joining a PID namespace
// only places children in it, so the command runs as this process's child;
// the helper forwards signals to it and exits with its status.
func ExecInit(joinErr string) {
	sync := os.NewFile(syncFD, "sync")
	code, err := execInContainer(sync, joinErr)
	if err != nil {
		code = errdefs.ExitBurrow
		switch {
		case errors.Is(err, errdefs.ErrCommandNotFound):
			code = errdefs.ExitNotFound
		case errors.Is(err, errdefs.ErrCannotExecute):
			code = errdefs.ExitCannotExec
		}
		_ = sendMsg(sync, syncMsg{Type: msgError, Code: code, Message: err.Error()}, nil)
	}
	os.Exit(code)
}

func execInContainer(sync *os.File, joinErr string) (int, error) {
	if joinErr != "" {
		return 0, fmt.Errorf("enter container: %s", joinErr)
	}
	var p specs.Process
	procFile := os.NewFile(specFD, "process")
	err := json.NewDecoder(procFile).Decode(&p)
	procFile.Close()
	if err != nil {
		return 0, fmt.Errorf("read process: %w", err)
	}
	// The command must not inherit the sync socket: its EOF means "running".
	unix.CloseOnExec(int(sync.Fd()))
	cmd, err := execCommand(&p, sync)
	if err != nil {
		return 0, err
	}
	signals := make(chan os.Signal, 16)
	signal.Notify(signals)
	if err := cmd.Start(); err != nil {
		return 0, fmt.Errorf("exec %s: %w", p.Args[0], err)
	}
	if p.Terminal {
		// Only the command may hold the slave, or the pty never hangs up.
		cmd.Stdin.(*os.File).Close()
	}
	sync.Close() // EOF: the command runs
	go func() {
		for sig := range signals {
			if s, ok := sig.(syscall.Signal); ok && s != syscall.SIGCHLD && s != syscall.SIGURG {
				_ = cmd.Process.Signal(s)
			}
		}
	}()
	_ = cmd.Wait()
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if ws.Signaled() {
		return errdefs.ExitSignalShift + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

// execCommand prepares the command with the container's limits: the
// bounding set and no_new_privs are set on this helper and inherited.
func execCommand(p *specs.Process, sync *os.File) (*exec.Cmd, error) {
	if err := os.Chdir(p.Cwd); err != nil {
		return nil, fmt.Errorf("working directory %s: %w", p.Cwd, err)
	}
	path, err := lookPath(p.Args[0], envPath(p.Env))
	if err != nil {
		return nil, err
	}
	if err := limitBoundingSet(p.Capabilities); err != nil {
		return nil, err
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return nil, fmt.Errorf("set no_new_privs: %w", err)
	}
	cmd := exec.Command(path)
	cmd.Args, cmd.Env, cmd.Dir = p.Args, p.Env, p.Cwd
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	groups := make([]uint32, len(p.User.AdditionalGids))
	copy(groups, p.User.AdditionalGids)
	cred := &syscall.Credential{Uid: p.User.UID, Gid: p.User.GID, Groups: groups, NoSetGroups: !setgroupsAllowed()}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGKILL}
	if p.Terminal {
		slave, err := openTerminal("/", sync)
		if err != nil {
			return nil, err
		}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
		cmd.SysProcAttr.Setsid, cmd.SysProcAttr.Setctty, cmd.SysProcAttr.Ctty = true, true, 0
	}
	return cmd, nil
}
