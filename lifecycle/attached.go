package lifecycle

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/events"
	"github.com/burrow/burrow/monitor"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// A foreground container with a terminal and stdin (run -it, start -ai)
// that the detach keys may leave running cannot be this process's child:
// its PID 1 dies with its parent. It gets a monitor, as run -d does, and
// this process attaches to the monitor through a socket pair
// (monitor.ClientFD): the terminal's input, window size and signals go
// there, its output and, last, the exit code come back. Detaching closes
// the pair; the monitor goes on logging, and `attach` finds it.

// Attachable says whether a foreground run goes through a monitor: a
// terminal, stdin, detach keys, and nothing that only this process can
// give the container (its own descriptors, output or streams left out).
func (o RunOpt) Attachable() bool {
	return o.Terminal && o.Interactive && len(o.DetachKeys) > 0 && len(o.Preserve) == 0 &&
		!o.NoStdout && !o.NoStderr && o.OnExited == nil && o.LogDriver != "passthrough"
}

// RunAttached is Run for an Attachable opt.
func RunAttached(s storage.Store, runRoot string, opt RunOpt) (string, int, error) {
	trace := newTracer()
	c, err := create(s, runRoot, opt.CreateOpt)
	if err != nil {
		return "", 0, err
	}
	trace.mark("create+mount")
	Emit(runRoot, c.ID, c.Record, "create", nil)
	if opt.OnCreated != nil {
		if err := opt.OnCreated(c.ID); err != nil {
			_ = finish(s, runRoot, c, 0, false)
			return c.ID, 0, err
		}
	}
	if err := mountTmpfsVolumes(s, runRoot, c.ID, c.Record, c.Spec.Root.Path); err != nil {
		_ = finish(s, runRoot, c, 0, false)
		return c.ID, 0, err
	}
	code, err := attachMonitor(s, runRoot, c, opt.DetachKeys, opt.NoSigProxy, opt.OnStarted, trace)
	return c.ID, code, err
}

// startAttached is start -ai of a container with a terminal.
func startAttached(s storage.Store, runRoot string, c *created, keys []byte, started func()) (int, error) {
	return attachMonitor(s, runRoot, c, keys, false, started, newTracer())
}

// attachMonitor starts c under a monitor and attaches to it; started, if
// set, is called once the container runs.
func attachMonitor(s storage.Store, runRoot string, c *created, keys []byte, noSigProxy bool, started func(), trace *tracer) (int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		_ = finish(s, runRoot, c, 0, false)
		return 0, fmt.Errorf("client socket: %w", err)
	}
	conn, theirs := os.NewFile(uintptr(fds[0]), "monitor"), os.NewFile(uintptr(fds[1]), "client")
	defer conn.Close()
	sess := newSession(conn, noSigProxy)
	defer sess.stop()
	sess.finish = func(code int, started bool) error {
		trace.mark("command")
		defer trace.mark("cleanup")
		return takeOver(s, runRoot, c.ID, sess, code, started)
	}
	// The size goes first, so the command starts with it.
	sess.resize()
	err = spawnMonitor(s, runRoot, c, theirs)
	theirs.Close()
	if err != nil {
		// The monitor, once started, cleans up after a failed start itself.
		return 0, err
	}
	trace.mark("monitor+init+exec")
	if started != nil {
		started()
	}
	return sess.run(keys)
}

// ExecAttached runs an exec -it command under an exec monitor, attached
// to this process's terminal until it ends (its exit code) or the detach
// keys leave it running (detached). died is the exec_died event the
// monitor logs, with the exit code, when nobody is attached at the end.
func ExecAttached(s storage.Store, runRoot string, c Container, opt ExecOpt, keys []byte, died events.Event) (code int, detached bool, err error) {
	if !c.Running {
		return 0, false, fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	spec, err := loadSpec(s, c.ID)
	if err != nil {
		return 0, false, err
	}
	proc, err := execProcess(spec, opt)
	if err != nil {
		return 0, false, err
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return 0, false, fmt.Errorf("client socket: %w", err)
	}
	conn, theirs := os.NewFile(uintptr(fds[0]), "monitor"), os.NewFile(uintptr(fds[1]), "client")
	defer conn.Close()
	sess := newSession(conn, false)
	defer sess.stop()
	sess.resize()
	trace := newTracer()
	mopt := monitor.ExecOpt{Pid: c.Pid, Request: container.ExecRequest{Process: proc, Annotations: spec.Annotations}, RunRoot: runRoot, Died: died}
	err = startMonitor(monitor.ExecVerb, mopt, c.Record.Name, theirs)
	theirs.Close()
	if err != nil {
		return 0, false, err
	}
	trace.mark("monitor+exec")
	code, err = sess.run(keys)
	trace.mark("command")
	return code, sess.detached, err
}

// takeOver makes this process the owner of the container whose monitor
// offers its end (FrameFinish), tells the monitor so, and finishes here:
// the record, the unmount, --rm. The state is written before the answer,
// so no other command takes the container for one whose owner died.
func takeOver(s storage.Store, runRoot, id string, sess *session, code int, started bool) error {
	st, ok := ctrstate.Read(runRoot, id)
	if !ok {
		return fmt.Errorf("run-time state of %s is gone", id)
	}
	own, err := ctrstate.Own(st.AutoRemove)
	if err != nil {
		return err
	}
	st.OwnerPID, st.OwnerStart = own.OwnerPID, own.OwnerStart
	if err := ctrstate.Write(runRoot, id, st); err != nil {
		return err
	}
	if err := sess.send(monitor.FrameTaken, nil); err != nil {
		return err
	}
	return Finish(s, runRoot, id, code, started)
}

// AttachTerminal attaches this process's terminal to a running container
// that has one, live through its monitor (input, size, signals unless
// noSigProxy, output), until it exits (its code) or the keys detach.
func AttachTerminal(runRoot string, c Container, keys []byte, noSigProxy bool) (code int, detached bool, err error) {
	conn, err := monitor.DialClient(ctrstate.AttachPath(runRoot, c.ID))
	if err != nil {
		return 0, false, fmt.Errorf("attach to %s: %w", c.Record.Name, err)
	}
	defer conn.Close()
	sess := newSession(conn, noSigProxy)
	defer sess.stop()
	sess.resize()
	code, err = sess.run(keys)
	return code, sess.detached, err
}
