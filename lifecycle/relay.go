package lifecycle

import (
	"fmt"
	"io"
	"os"
	"sync"
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

func guardTerminal(interactive, hasPty bool) (container.Stdio, *relay, error) {
	r := &relay{}
	stdio := container.Stdio{Stdout: os.Stdout, Stderr: os.Stderr}
	if interactive {
		stdio.Stdin = os.Stdin
	}
	if hasPty {
		return stdio, r, nil // the container gets a pty of its own
	}
	var err error
	if stdio.Stdin != nil && term.IsTerminal(int(os.Stdin.Fd())) {
		if stdio.Stdin, err = r.feed(os.Stdin); err != nil {
			return stdio, r, err
		}
	}
	for _, out := range []**os.File{&stdio.Stdout, &stdio.Stderr} {
		if term.IsTerminal(int((*out).Fd())) {
			if *out, err = r.drain(*out); err != nil {
				r.started()
				return stdio, r, err
			}
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

// drain copies what the container writes to the terminal.
func (r *relay) drain(tty *os.File) (*os.File, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("output pipe: %w", err)
	}
	r.theirs = append(r.theirs, pw)
	r.copies.Add(1)
	go func() {
		defer r.copies.Done()
		_, _ = io.Copy(tty, pr)
		pr.Close()
	}()
	return pw, nil
}

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
