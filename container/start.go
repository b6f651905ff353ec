package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// StartError is the init's report that the container could not start;
// Code is the exit code burrow should return (125, 126 or 127).
type StartError struct {
	Code    int
	Message string
}

func (e *StartError) Error() string { return e.Message }

// ExitCode is the code burrow returns for it (errdefs.ExitCode).
func (e *StartError) ExitCode() int { return e.Code }

// Process is a started container's PID 1 as seen from the parent.
type Process struct {
	cmd      *exec.Cmd
	done     chan struct{} // closed once waited for; nil for exec
	doneOnce sync.Once
	Pid      int
	Terminal *os.File // the pty master when the spec asks for a terminal
}

// Stdio is what the container's command gets when it has no terminal.
// A nil Stdin reads /dev/null.
type Stdio struct {
	Stdin, Stdout, Stderr *os.File
	// Preserve are passed on as descriptors 3, 4, ... (--preserve-fds);
	// the command gets nothing else beyond 0-2.
	Preserve []*os.File
}

// Hooks run on the parent side at fixed points of the start.
type Hooks struct {
	// AfterClone runs once the init exists in its new namespaces and
	// before it receives the spec, so nothing in the container runs yet:
	// the place to start connecting its network namespace
	// (/proc/PID/ns/net). The ready function it returns (may be nil) runs
	// while the init sets up the container's mounts; the command starts
	// only after it returns nil. An error from either kills the init and
	// fails the start.
	AfterClone func(pid int) (ready func() error, err error)
}

var cloneFlags = map[specs.LinuxNamespaceType]uintptr{
	specs.PIDNamespace: unix.CLONE_NEWPID, specs.MountNamespace: unix.CLONE_NEWNS,
	specs.UTSNamespace: unix.CLONE_NEWUTS, specs.IPCNamespace: unix.CLONE_NEWIPC,
	specs.NetworkNamespace: unix.CLONE_NEWNET, specs.CgroupNamespace: unix.CLONE_NEWCGROUP,
}

// Start runs the init for spec and returns once the command is executing
// (or failed to). It locks the calling goroutine to its thread: the
// container gets SIGKILL when that thread ends, so call it from the
// goroutine that will also Wait.
func Start(spec *specs.Spec, stdio Stdio, hooks Hooks) (*Process, error) {
	ch, err := openChannels()
	if err != nil {
		return nil, err
	}
	defer ch.close()

	cmd, err := initCommand(spec, stdio, ch.specR, ch.childSock)
	if err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	if joins := joinedNamespaces(spec); len(joins) > 0 {
		err = startJoined(cmd, spec.Linux.CgroupsPath, joins, p.done)
	} else {
		runtime.LockOSThread()
		err = startInCgroup(cmd, spec.Linux.CgroupsPath)
	}
	ch.childSock.Close()
	if err != nil {
		return nil, fmt.Errorf("start container init: %w", err)
	}
	p.Pid = cmd.Process.Pid
	var ready func() error
	if hooks.AfterClone != nil {
		if ready, err = hooks.AfterClone(p.Pid); err != nil {
			p.kill()
			return nil, err
		}
	}
	if err := sendSpec(ch.specW, spec); err != nil {
		p.kill()
		return nil, err
	}
	if err := p.letGo(ch.parentSock, ready); err != nil {
		return nil, err
	}
	if err := p.awaitExec(ch.parentSock); err != nil {
		if p.Terminal != nil {
			p.Terminal.Close()
		}
		return nil, err
	}
	return p, nil
}

func initCommand(spec *specs.Spec, stdio Stdio, specR, childSock *os.File) (*exec.Cmd, error) {
	helper, err := HelperBinary()
	if err != nil {
		return nil, err
	}
	var flags uintptr
	// The init is already inside burrow's namespace: the constructor must not join again.
	env := []string{envInUserns, preserveEnv(len(stdio.Preserve))}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path != "" && ns.Type == specs.NetworkNamespace {
			// An existing namespace: the init's constructor joins it (container/nsjoin).
			env = append(env, "_BURROW_JOIN_NETNS="+ns.Path)
			continue
		}
		if ns.Path != "" {
			continue // joined by startJoined
		}
		flags |= cloneFlags[ns.Type]
	}
	cmd := exec.Command(helper, InitVerb)
	cmd.Args[0] = "burrow-init"
	cmd.Env = env
	cmd.ExtraFiles = append([]*os.File{specR, childSock}, stdio.Preserve...)
	if !spec.Process.Terminal {
		setStdio(cmd, stdio)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags, Pdeathsig: syscall.SIGKILL}
	if joinsPID(spec) {
		// Go's fork, after setting the parent-death signal, kills the child
		// whose getppid differs from the parent's pid, and in a joined PID
		// namespace getppid is 0. The init sets the signal itself, and a
		// parent gone before that shows as EOF on the sync socket.
		cmd.SysProcAttr.Pdeathsig = 0
	}
	return cmd, nil
}

func sendSpec(w *os.File, spec *specs.Spec) error {
	data, err := json.Marshal(spec)
	if err != nil {
		return fmt.Errorf("encode spec: %w", err)
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("send spec to container init: %w", err)
	}
	return w.Close()
}

// letGo waits for ready, then lets the init run the command. On failure
// the init is killed, and a report it sent before (its own setup failed,
// which may be why the network never came up) wins.
func (p *Process) letGo(sock *os.File, ready func() error) error {
	var err error
	if ready != nil {
		err = ready()
	}
	if err == nil {
		if err = sendMsg(sock, syncMsg{Type: msgGo}, nil); err == nil {
			return nil
		}
		err = fmt.Errorf("let the container's command start: %w", err)
	}
	_ = p.cmd.Process.Kill()
	if initErr := p.awaitExec(sock); initErr != nil {
		return initErr
	}
	if p.Terminal != nil {
		p.Terminal.Close()
	}
	_ = p.cmd.Wait()
	return err
}

// awaitExec follows the protocol in sync.go until the init has exec'd.
func (p *Process) awaitExec(sock *os.File) error {
	for {
		m, fd, ok, err := recvMsg(sock)
		if err != nil {
			p.kill()
			return err
		}
		if !ok {
			return nil
		}
		switch m.Type {
		case msgTerminal:
			p.Terminal = fd
		case msgError:
			_ = p.cmd.Wait()
			p.release()
			return &StartError{Code: m.Code, Message: m.Message}
		}
	}
}

func (p *Process) kill() {
	_ = p.cmd.Process.Kill()
	_ = p.cmd.Wait()
	p.release()
}

// release ends the thread that started the init in joined namespaces.
func (p *Process) release() {
	if p.done != nil {
		p.doneOnce.Do(func() { close(p.done) })
	}
}

// Signal sends sig to the container's PID 1.
func (p *Process) Signal(sig syscall.Signal) error {
	return unix.Kill(p.Pid, sig)
}

// Wait waits for PID 1 and returns the container's exit code: its status,
// or 128+N when killed by signal N.
func (p *Process) Wait() (int, error) {
	err := p.cmd.Wait()
	p.release()
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok {
		return 0, fmt.Errorf("wait for container: %w", err)
	}
	if ws.Signaled() {
		return errdefs.ExitSignalShift + int(ws.Signal()), nil
	}
	return ws.ExitStatus(), nil
}

// InitBinaryName is the small init installed beside burrow.
const InitBinaryName = "burrow-init"

// HelperBinary is the container init, exec helper and monitor: it prefers the small burrow-init beside the running binary: it
// starts in about a millisecond, where re-executing the whole CLI costs
// several. Without it, the CLI itself serves as init.
var HelperBinary = sync.OnceValues(func() (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("find own executable: %w", err)
	}
	candidate := filepath.Join(filepath.Dir(self), InitBinaryName)
	if unix.Access(candidate, unix.X_OK) != nil {
		// By name, not /proc/self/exe: that is the file as the host's mount
		// namespace shows it, which protectBinary cannot make read-only.
		candidate = self
	}
	return candidate, protectBinary(candidate)
})

// startInCgroup starts the init directly in its cgroup (clone3 with
// CLONE_INTO_CGROUP, kernel 5.7+), so not one of its instructions runs
// outside the limits; older kernels get the init moved in before it
// receives its spec, which is still before anything of the container runs.
func startInCgroup(cmd *exec.Cmd, dir string) error {
	if dir == "" {
		return cmd.Start()
	}
	fd, err := unix.Open(dir, unix.O_DIRECTORY|unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open cgroup %s: %w", dir, err)
	}
	defer unix.Close(fd)
	cmd.SysProcAttr.UseCgroupFD, cmd.SysProcAttr.CgroupFD = true, fd
	err = cmd.Start()
	if err == nil || !(errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EINVAL) || errors.Is(err, unix.E2BIG)) {
		return err
	}
	cmd.SysProcAttr.UseCgroupFD = false
	copied := *cmd // an exec.Cmd cannot be started twice
	retry := exec.Command(copied.Path)
	retry.Args, retry.Env, retry.ExtraFiles, retry.SysProcAttr = copied.Args, copied.Env, copied.ExtraFiles, copied.SysProcAttr
	retry.Stdin, retry.Stdout, retry.Stderr = copied.Stdin, copied.Stdout, copied.Stderr
	*cmd = *retry
	if err := cmd.Start(); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(fmt.Sprint(cmd.Process.Pid)), 0)
}

// joinedNamespaces are the PID, IPC, UTS and cgroup namespaces the spec
// joins (another container's); the network namespace is nsjoin's.
func joinedNamespaces(spec *specs.Spec) []specs.LinuxNamespace {
	var out []specs.LinuxNamespace
	for _, ns := range spec.Linux.Namespaces {
		if ns.Path != "" && ns.Type != specs.NetworkNamespace {
			out = append(out, ns)
		}
	}
	return out
}

// startJoined starts the init from a thread of its own that first joins
// the namespaces in joins: setns changes only the calling thread, and for
// a PID namespace only its future children. A rootless process cannot
// undo those joins (going back needs CAP_SYS_ADMIN over the host's
// namespaces), so the thread stays locked and ends once the container has
// been waited for (done); its end is what the init's parent-death signal
// follows, as the caller's thread does in Start.
func startJoined(cmd *exec.Cmd, cgroup string, joins []specs.LinuxNamespace, done <-chan struct{}) error {
	fds := make([]int, 0, len(joins))
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for _, ns := range joins {
		fd, err := unix.Open(ns.Path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open %s namespace %s: %w", ns.Type, ns.Path, err)
		}
		fds = append(fds, fd)
	}
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		for i, fd := range fds {
			if err := unix.Setns(fd, int(cloneFlags[joins[i].Type])); err != nil {
				errc <- fmt.Errorf("join %s namespace %s: %w", joins[i].Type, joins[i].Path, err)
				return
			}
		}
		err := startInCgroup(cmd, cgroup)
		errc <- err
		if err == nil {
			<-done
		}
	}()
	return <-errc
}

func joinsPID(spec *specs.Spec) bool {
	for _, ns := range joinedNamespaces(spec) {
		if ns.Type == specs.PIDNamespace {
			return true
		}
	}
	return false
}
