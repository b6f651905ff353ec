package container

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

// ExecVerb is the hidden argv[1] of the helper that runs a command in a
// running container (burrow exec).
const ExecVerb = "__exec"

// Exec starts proc inside the running container whose PID 1 is pid and
// returns once the command runs. The helper (burrow-init __exec) joins the
// container's namespaces in its C constructor (container/nsjoin) and stays
// the command's parent; Wait returns the command's exit code.
func Exec(pid int, req ExecRequest, stdio Stdio) (*Process, error) {
	ch, err := openChannels()
	if err != nil {
		return nil, err
	}
	defer ch.close()
	helper, err := HelperBinary()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(helper, ExecVerb)
	cmd.Args[0] = "burrow-exec"
	cmd.Env = []string{envInUserns, preserveEnv(len(stdio.Preserve)), fmt.Sprintf("_BURROW_EXEC_PID=%d", pid)}
	cmd.ExtraFiles = append([]*os.File{ch.specR, ch.childSock}, stdio.Preserve...)
	if !req.Process.Terminal {
		setStdio(cmd, stdio)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	ch.childSock.Close()
	if err != nil {
		return nil, fmt.Errorf("start exec helper: %w", err)
	}
	p := &Process{cmd: cmd, Pid: cmd.Process.Pid}
	if err := json.NewEncoder(ch.specW).Encode(req); err != nil {
		p.kill()
		return nil, fmt.Errorf("send process to exec helper: %w", err)
	}
	ch.specW.Close()
	if err := p.awaitExec(ch.parentSock); err != nil {
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
