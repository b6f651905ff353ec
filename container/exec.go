package container

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ExecVerb is the hidden argv[1] of the helper that runs a command in a
// running container (burrow exec).
const ExecVerb = "__exec"

// Exec starts proc inside the running container whose PID 1 is pid and
// returns once the command runs. The helper (burrow-init __exec) joins the
// container's namespaces in its C constructor (container/nsjoin) and stays
// the command's parent; Wait returns the command's exit code.
func Exec(pid int, proc *specs.Process, stdio Stdio) (*Process, error) {
	procR, procW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer procR.Close()
	defer procW.Close()
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("sync socket: %w", err)
	}
	parentSock, childSock := os.NewFile(uintptr(pair[0]), "sync"), os.NewFile(uintptr(pair[1]), "sync")
	defer parentSock.Close()
	cmd := exec.Command(HelperBinary(), ExecVerb)
	cmd.Args[0] = "burrow-exec"
	cmd.Env = []string{"_BURROW_IN_USERNS=1", fmt.Sprintf("_BURROW_EXEC_PID=%d", pid)}
	cmd.ExtraFiles = []*os.File{procR, childSock}
	if !proc.Terminal {
		setStdio(cmd, stdio)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	childSock.Close()
	if err != nil {
		return nil, fmt.Errorf("start exec helper: %w", err)
	}
	p := &Process{cmd: cmd, Pid: cmd.Process.Pid}
	if err := json.NewEncoder(procW).Encode(proc); err != nil {
		p.kill()
		return nil, fmt.Errorf("send process to exec helper: %w", err)
	}
	procW.Close()
	if err := p.awaitExec(parentSock); err != nil {
		return nil, err
	}
	return p, nil
}

func setStdio(cmd *exec.Cmd, stdio Stdio) {
	if stdio.Stdin != nil {
		cmd.Stdin = stdio.Stdin
	}
	if stdio.Stdout != nil {
		cmd.Stdout = stdio.Stdout
	}
	if stdio.Stderr != nil {
		cmd.Stderr = stdio.Stderr
	}
}
