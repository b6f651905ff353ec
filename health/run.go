package health

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/burrow/burrow/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Run runs the test once in the container whose PID 1 is pid, with the
// container's own process settings (user, environment, capabilities,
// seccomp), as exec does; past the timeout it is killed.
func Run(spec *specs.Spec, pid int, c Config) Result {
	r := Result{Start: time.Now()}
	finish := func(code int, out string) Result {
		r.End, r.ExitCode, r.Output = time.Now(), code, out
		return r
	}
	argv, err := c.Command()
	if err != nil {
		return finish(-1, err.Error())
	}
	proc := *spec.Process
	proc.Args, proc.Terminal = argv, false
	pr, pw, err := os.Pipe()
	if err != nil {
		return finish(-1, err.Error())
	}
	p, err := container.Exec(pid, container.ExecRequest{Process: &proc, Annotations: spec.Annotations}, container.Stdio{Stdout: pw, Stderr: pw})
	pw.Close()
	if err != nil {
		pr.Close()
		return finish(-1, err.Error())
	}
	var out limitedBuffer
	copied := make(chan struct{})
	go func() { _, _ = io.Copy(&out, pr); pr.Close(); close(copied) }()
	type exit struct {
		code int
		err  error
	}
	done := make(chan exit, 1)
	go func() { code, err := p.Wait(); done <- exit{code, err} }()
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	select {
	case e := <-done:
		// A background process of the test may keep the pipe open.
		select {
		case <-copied:
		case <-time.After(time.Second):
		}
		if e.err != nil {
			return finish(-1, e.err.Error())
		}
		return finish(e.code, Output(&out))
	case <-time.After(timeout):
		_ = p.Signal(syscall.SIGKILL)
		<-done
		return finish(-1, fmt.Sprintf("Health check exceeded timeout (%s)", timeout))
	}
}

// Start runs c every interval while the container whose PID 1 is pid
// runs, keeping its status for every command to read, and does c's
// OnFailure when it turns unhealthy. The returned func ends the checks,
// drops the status and says which OnFailure action was taken ("" none).
// With a nil c it does nothing.
func Start(runRoot, id string, c *Config, spec *specs.Spec, pid int, started time.Time) func() string {
	if c == nil {
		return func() string { return "" }
	}
	state := State{Status: Starting, Log: []Result{}}
	_ = Write(runRoot, id, state)
	// A pidfd taken now, while PID 1 is not reaped, so that a late
	// action cannot hit a process that reused the number.
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		pidfd = -1
	}
	stop, done := make(chan struct{}), make(chan struct{})
	var acted string
	go func() {
		defer close(done)
		if c.Startup != nil && !startupPassed(spec, pid, *c.Startup, stop) {
			if c.Startup.Retries > 0 && pidfd >= 0 {
				select {
				case <-stop: // it ended on its own meanwhile
				default:
					acted = "restart"
					_ = unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
				}
			}
			return
		}
		for {
			select {
			case <-stop:
				return
			case <-time.After(c.next(state, started)):
			}
			r := Run(spec, pid, *c)
			select {
			case <-stop:
				return // the container went meanwhile: the result means nothing
			default:
			}
			// burrow healthcheck run may have recorded results meanwhile.
			if now, ok := Read(runRoot, id); ok {
				state = now
			}
			was := state.Status
			state.Record(r, *c, started)
			_ = Write(runRoot, id, state)
			if state.Status == Unhealthy && was != Unhealthy && c.OnFailure != "" && pidfd >= 0 {
				acted = c.OnFailure
				onFailure(pidfd, c.OnFailure, stop)
			}
		}
	}()
	return func() string {
		close(stop)
		<-done
		if pidfd >= 0 {
			unix.Close(pidfd)
		}
		Remove(runRoot, id)
		return acted
	}
}

// startupPassed runs the startup check until it has passed s.Successes
// times (at least once); false when it failed s.Retries times or the
// container ended first.
func startupPassed(spec *specs.Spec, pid int, s Startup, stop <-chan struct{}) bool {
	passed, failed := 0, 0
	for {
		select {
		case <-stop:
			return false
		case <-time.After(s.Interval):
		}
		r := Run(spec, pid, Config{Test: s.Test, Timeout: s.Timeout})
		if r.ExitCode == 0 {
			if passed++; passed >= max(s.Successes, 1) {
				return true
			}
			continue
		}
		if failed++; s.Retries > 0 && failed >= s.Retries {
			return false
		}
	}
}

// next is the wait before the next check: StartInterval while the start
// period lasts and the container has not been healthy, else Interval.
func (c Config) next(s State, started time.Time) time.Duration {
	if c.StartInterval > 0 && s.Status == Starting && time.Since(started) < c.StartPeriod {
		return c.StartInterval
	}
	return c.Interval
}

// onFailure ends PID 1 for kill and restart (the caller restarts), and
// for stop asks it to end with SIGTERM first, SIGKILL 10 s later as stop
// does.
func onFailure(pidfd int, action string, stopped <-chan struct{}) {
	if action == "stop" {
		_ = unix.PidfdSendSignal(pidfd, unix.SIGTERM, nil, 0)
		select {
		case <-stopped:
			return
		case <-time.After(10 * time.Second):
		}
	}
	_ = unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
}
