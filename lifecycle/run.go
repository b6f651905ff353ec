package lifecycle

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/monitor"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// RunOpt adds to CreateOpt what only a foreground run needs.
type RunOpt struct {
	CreateOpt
	Interactive bool // -i: the container reads burrow's stdin
	// NoStdout and NoStderr leave a stream unattached (run -a): the
	// container's goes to /dev/null. NoSigProxy keeps burrow's signals
	// from the container.
	NoStdout, NoStderr, NoSigProxy bool
	Preserve                       []*os.File // --preserve-fds: passed on as 3, 4, ...
	// DetachKeys, typed on a terminal, leave the container running
	// (see Attachable); none keeps burrow the container's parent.
	DetachKeys []byte
	// OnCreated, if set, learns the container's ID before it starts (--cidfile).
	OnCreated func(id string) error
	// OnExited, if set, runs after the command ended and before the
	// container is cleaned up (a build commits its layer there).
	OnExited func(id string, code int) error
	// OnStarted, if set, is called once the container's command runs.
	OnStarted func()
}

// Run creates a container, runs it in the foreground with burrow as its
// parent, and cleans up after it. It returns the container's exit code.
func Run(s storage.Store, runRoot string, opt RunOpt) (int, error) {
	trace := newTracer()
	c, err := create(s, runRoot, opt.CreateOpt)
	if err != nil {
		return 0, err
	}
	trace.mark("create+mount")
	Emit(runRoot, c.ID, c.Record, "create", nil)
	var code int
	var runErr error
	if opt.OnCreated != nil {
		runErr = opt.OnCreated(c.ID)
	}
	if runErr == nil {
		runErr = mountTmpfsVolumes(s, runRoot, c.ID, c.Record, c.Spec.Root.Path)
	}
	if runErr == nil {
		code, runErr = runCreated(s, runRoot, c, opt, trace)
	}
	if runErr == nil && opt.OnExited != nil {
		runErr = opt.OnExited(c.ID, code)
	}
	if err := finish(s, runRoot, c, code, runErr == nil); err != nil && runErr == nil {
		runErr = err
	}
	trace.mark("cleanup")
	return code, runErr
}

func runCreated(s storage.Store, runRoot string, c *created, opt RunOpt, trace *tracer) (int, error) {
	stopChecks := func() {}
	defer func() { stopChecks() }()
	log, closeLog, err := openForegroundLog(s, c)
	if err != nil {
		return 0, err
	}
	defer closeLog()
	connect, disconnect, err := networkHook(runRoot, c.ID, c.Record)
	if err != nil {
		return 0, err
	}
	defer disconnect()
	return foreground(fgOpt{interactive: opt.Interactive, terminal: c.Spec.Process.Terminal, preserve: opt.Preserve,
		noStdout: opt.NoStdout, noStderr: opt.NoStderr, noSigProxy: opt.NoSigProxy, log: log}, func(stdio container.Stdio) (*container.Process, error) {
		p, err := container.Start(c.Spec, stdio, container.Hooks{AfterClone: connect})
		if err != nil {
			return p, err
		}
		trace.mark("init+exec")
		if err := markStarted(runRoot, c, p.Pid); err != nil {
			// Unrecorded, it could be neither stopped nor found by others.
			_ = p.Signal(syscall.SIGKILL)
			_, _ = p.Wait()
			return nil, err
		}
		if opt.OnStarted != nil {
			opt.OnStarted()
		}
		endChecks := health.Start(runRoot, c.ID, c.Record.Health, c.Spec, p.Pid, c.Record.Started)
		stopTimeout := monitor.KillAfter(p, c.Record.Timeout)
		stopChecks = func() { stopTimeout(); endChecks() }
		return p, nil
	}, trace)
}

// markStarted records PID 1 in the state this process wrote as the
// container's owner, as a monitor does for a detached one: ps, inspect,
// exec, top, kill, stop, rm -f and pause from other commands find the
// container's process there.
func markStarted(runRoot string, c *created, pid int) error {
	st, ok := ctrstate.Read(runRoot, c.ID)
	if !ok {
		return fmt.Errorf("run-time state of %s is gone", c.Record.Name)
	}
	if err := ctrstate.MarkStarted(runRoot, c.ID, &st, pid); err != nil {
		return fmt.Errorf("record start of %s: %w", c.Record.Name, err)
	}
	c.Record.Started = st.Started
	Emit(runRoot, c.ID, c.Record, "start", nil)
	if ctrstate.Stopped(runRoot, c.ID) {
		// Stopped or removed by another command before PID 1 was on
		// record, where it could not signal it.
		_ = unix.Kill(pid, unix.SIGKILL)
	}
	return nil
}

// foreground runs a process (a container's PID 1, or an exec'd command)
// with burrow's own stdio or terminal, forwards signals and window size,
// and returns its exit code.
func foreground(opt fgOpt, start func(container.Stdio) (*container.Process, error), trace *tracer) (int, error) {
	interactive := opt.interactive
	stdio, relay, err := guardTerminal(opt)
	if err != nil {
		return 0, err
	}
	stdio.Preserve = opt.preserve
	if (opt.noStdout || opt.noStderr) && opt.log == nil {
		null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return 0, err
		}
		defer null.Close()
		if opt.noStdout {
			stdio.Stdout = null
		}
		if opt.noStderr {
			stdio.Stderr = null
		}
	}
	// Catch signals before the process exists so none is lost in between.
	signals := make(chan os.Signal, 16)
	signal.Notify(signals, forwardedSignals...)
	defer signal.Stop(signals)
	if opt.noSigProxy {
		// Caught and dropped: the container is not told, and burrow
		// stays to clean up after it (only the window size still goes).
		proxied := signals
		signals = make(chan os.Signal, 16)
		go func() {
			for sig := range proxied {
				if sig == syscall.SIGWINCH {
					signals <- sig
				}
			}
		}()
	}

	p, err := start(stdio)
	relay.started()
	defer relay.finish()
	if err != nil {
		return 0, err
	}
	var console *consoleCopy
	if p.Terminal != nil {
		if console, err = startConsole(p.Terminal, interactive, opt.log); err != nil {
			_ = p.Signal(syscall.SIGKILL)
			_, _ = p.Wait()
			return 0, err
		}
	}
	done := make(chan struct{})
	go forward(signals, p, console, done)
	code, err := p.Wait()
	trace.mark("command")
	close(done)
	if console != nil {
		console.finish()
	}
	return code, err
}

// fgOpt is how a foreground process meets burrow's stdio.
type fgOpt struct {
	interactive, terminal bool
	preserve              []*os.File
	// run -a without a stream; --sig-proxy=false.
	noStdout, noStderr, noSigProxy bool
	// log, if set, keeps the output in the container's log (see tee).
	log *logfile.Writer
}

// forwardedSignals reach the container's PID 1; SIGCHLD, SIGURG (the Go
// runtime's) and SIGPIPE stay with burrow.
var forwardedSignals = []os.Signal{
	syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGUSR1,
	syscall.SIGUSR2, syscall.SIGALRM, syscall.SIGCONT, syscall.SIGTSTP, syscall.SIGTTIN,
	syscall.SIGTTOU, syscall.SIGWINCH,
}

func forward(signals <-chan os.Signal, p *container.Process, console *consoleCopy, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case sig := <-signals:
			if sig == syscall.SIGWINCH {
				if console != nil {
					console.resize()
				}
				continue
			}
			_ = p.Signal(sig.(syscall.Signal))
		}
	}
}

// finish unmounts the root and removes the container (--rm) or records
// how it ended, then drops the run-time state.
func finish(s storage.Store, runRoot string, c *created, code int, started bool) error {
	if dir := cgroupOf(s, c.ID); dir != "" {
		c.Record.OOMKilled = cgroupv2.OOMKilled(dir)
	}
	if err := unmountTmpfsVolumes(s, runRoot, c.ID, c.Record); err != nil {
		return fmt.Errorf("clean up container %s: %w", c.Record.Name, err)
	}
	if started {
		Emit(runRoot, c.ID, c.Record, "died", &code)
	}
	if c.Record.AutoRemove && started {
		if err := recordExit(runRoot, c.ID, code); err != nil {
			return fmt.Errorf("record exit of %s: %w", c.Record.Name, err)
		}
	}
	if c.Record.AutoRemove {
		if err := RemoveAnonymousVolumes(s, c.ID, c.Record); err != nil {
			return fmt.Errorf("remove volumes of %s: %w", c.Record.Name, err)
		}
	}
	if err := release(s, c.ID, c.Record.AutoRemove); err != nil {
		return fmt.Errorf("clean up container %s: %w", c.Record.Name, err)
	}
	if c.Record.AutoRemove {
		Emit(runRoot, c.ID, c.Record, "remove", nil)
	}
	if !c.Record.AutoRemove && started {
		c.Record = latestRecord(s, c.ID, c.Record)
		c.Record.ExitCode, c.Record.Finished = code, time.Now().UTC()
		if meta, err := c.Record.encode(); err == nil {
			if err := s.SetMetadata(c.ID, meta); err != nil {
				return fmt.Errorf("record exit of %s: %w", c.Record.Name, err)
			}
		}
	}
	return ctrstate.Remove(runRoot, c.ID)
}

// latestRecord is the stored record with what this run knows better (its
// start, restarts, OOM kill): while it ran, network connect, disconnect,
// rename or update may have changed the record, which a write of the
// record read at its start would undo.
func latestRecord(s storage.Store, id string, run Record) Record {
	ctr, err := s.Container(id)
	if err != nil {
		return run
	}
	rec := DecodeRecord(ctr.Metadata)
	rec.Started, rec.RestartCount, rec.OOMKilled = run.Started, run.RestartCount, run.OOMKilled
	return rec
}

// consoleCopy joins the user's terminal to the container's pty.
type consoleCopy struct {
	master  *os.File
	restore func()
	output  chan struct{}
}

// log, if set, keeps the output in the container's log as it is read
// (a prompt has no newline to wait for, as in the monitor's log).
func startConsole(master *os.File, interactive bool, log *logfile.Writer) (*consoleCopy, error) {
	c := &consoleCopy{master: master, restore: func() {}, output: make(chan struct{})}
	stdin := int(os.Stdin.Fd())
	if interactive && term.IsTerminal(stdin) {
		old, err := term.MakeRaw(stdin)
		if err != nil {
			return nil, fmt.Errorf("set terminal raw: %w", err)
		}
		c.restore = func() { _ = term.Restore(stdin, old) }
	}
	c.resize()
	go func() {
		// The master reports EIO once every holder of the slave is gone.
		if log != nil {
			catchSIGPIPE()
			logged := log.Chunks("stdout")
			tee(os.Stdout, master, logged)
			// With burrow's stdout gone the terminal is still drained,
			// or the container would block on it.
			tee(io.Discard, master, logged)
		} else {
			_, _ = io.Copy(os.Stdout, master)
		}
		close(c.output)
	}()
	if interactive {
		go func() { _, _ = io.Copy(master, os.Stdin) }()
	}
	return c, nil
}

func (c *consoleCopy) resize() {
	ws, err := unix.IoctlGetWinsize(int(os.Stdin.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		ws, err = unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ)
	}
	if err == nil {
		_ = unix.IoctlSetWinsize(int(c.master.Fd()), unix.TIOCSWINSZ, ws)
	}
}

func (c *consoleCopy) finish() {
	select {
	case <-c.output:
	case <-time.After(2 * time.Second):
		// A process outside the container may hold the slave; do not hang.
	}
	c.restore()
	c.master.Close()
}
