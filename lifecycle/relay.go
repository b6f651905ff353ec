package lifecycle

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/burrow/burrow/container"
	"golang.org/x/term"
)

// relay stands between burrow's terminal and a container that has none of
// its own (no -t): a terminal descriptor in the container would let it
// push input into the user's shell (TIOCSTI), change the terminal's modes
// or read it after burrow exits. Such a stream becomes a pipe that burrow
// copies; files and pipes are passed on as they are.
type relay struct {
	theirs []*os.File // the container's ends, closed here once it started
	copies sync.WaitGroup
}

func guardTerminal(opt fgOpt) (container.Stdio, *relay, error) {
	r := &relay{}
	stdio := container.Stdio{Stdout: os.Stdout, Stderr: os.Stderr}
	if opt.interactive {
		stdio.Stdin = os.Stdin
	}
	if opt.terminal {
		return stdio, r, nil // the container gets a pty of its own
	}
	var err error
	if stdio.Stdin != nil && term.IsTerminal(int(os.Stdin.Fd())) {
		if stdio.Stdin, err = r.feed(os.Stdin); err != nil {
			return stdio, r, err
		}
	}
	outs := []struct {
		f      **os.File
		stream string
		quiet  bool
	}{{&stdio.Stdout, "stdout", opt.noStdout}, {&stdio.Stderr, "stderr", opt.noStderr}}
	for _, out := range outs {
		var dst io.Writer = *out.f
		switch {
		case opt.log != nil:
			// Logged whether shown or not (run -a), as docker does.
			if out.quiet {
				dst = io.Discard
			}
			*out.f, err = r.drain(dst, opt.log.Lines(out.stream))
		case term.IsTerminal(int((*out.f).Fd())):
			*out.f, err = r.drain(dst, nil)
		}
		if err != nil {
			r.started()
			return stdio, r, err
		}
	}
	return stdio, r, nil
}

// feed copies the terminal into a pipe the container reads; the copy ends
// with the terminal's EOF, or with burrow.
func (r *relay) feed(tty *os.File) (*os.File, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("stdin pipe: %w", err)
	}
	r.theirs = append(r.theirs, pr)
	go func() {
		_, _ = io.Copy(pw, tty)
		pw.Close()
	}()
	return pr, nil
}

// drain copies what the container writes to dst, each read as it comes
// (an interactive pipe must not wait), and then to log if it is set. When
// dst is gone (burrow's reader closed its pipe) the copy stops, so the
// container meets the broken pipe as it would writing to dst itself.
func (r *relay) drain(dst io.Writer, log io.WriteCloser) (*os.File, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("output pipe: %w", err)
	}
	if log != nil {
		catchSIGPIPE()
	}
	r.theirs = append(r.theirs, pw)
	r.copies.Add(1)
	go func() {
		defer r.copies.Done()
		defer pr.Close()
		if log == nil {
			_, _ = io.Copy(dst, pr)
			return
		}
		defer log.Close()
		tee(dst, pr, log)
	}()
	return pw, nil
}

// tee copies src to dst, each read as it comes, and to log after it,
// until src ends or dst fails.
func tee(dst io.Writer, src io.Reader, log io.Writer) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
			_, _ = log.Write(buf[:n]) // a full disk costs the log, not the output
		}
		if err != nil {
			return
		}
	}
}

// catchSIGPIPE makes a write to burrow's closed stdout or stderr fail with
// EPIPE instead of killing burrow (Go's default for fds 1 and 2), which
// would leave the container to nobody. Caught, not ignored: an ignored
// signal would be inherited by the container's processes.
var catchSIGPIPE = sync.OnceFunc(func() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
})

// started drops burrow's copies of the container's ends, so EOF reaches
// the copies when the container's processes are gone.
func (r *relay) started() {
	for _, f := range r.theirs {
		f.Close()
	}
	r.theirs = nil
}

// finish waits for the output to be copied; a process that escaped the
// container's end (a daemon an exec left behind) may keep a pipe open, so
// the wait is bounded, as for the pty.
func (r *relay) finish() {
	done := make(chan struct{})
	go func() { r.copies.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
	}
}
