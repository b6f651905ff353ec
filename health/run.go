package health

import (
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/burrow/burrow/container"
	specs "github.com/opencontainers/runtime-spec/specs-go"
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
// runs, keeping its status for every command to read; the returned func
// ends the checks and drops the status. With a nil c it does nothing.
func Start(runRoot, id string, c *Config, spec *specs.Spec, pid int, started time.Time) func() {
	if c == nil {
		return func() {}
	}
	state := State{Status: Starting, Log: []Result{}}
	_ = Write(runRoot, id, state)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(c.Interval):
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
			state.Record(r, *c, started)
			_ = Write(runRoot, id, state)
		}
	}()
	return func() {
		close(stop)
		<-done
		Remove(runRoot, id)
	}
}
