package lifecycle

import (
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/errdefs"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// Streams are an exec'd command's stdio when the caller is not a terminal
// of this process (the API socket): nil ones are /dev/null.
type Streams struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// Started, if set, learns the command's host PID once it runs.
	Started func(pid int)
	// Resizable, if set, learns how to size the command's terminal.
	Resizable func(resize func(rows, cols uint16) error)
}

// ExecStreams runs a command in a running container with st as its stdio
// (through pipes, or through its pty with opt.Terminal) and returns its
// exit code once it has exited and its output is delivered.
func ExecStreams(s storage.Store, c Container, opt ExecOpt, st Streams) (int, error) {
	if !c.Running {
		return 0, fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	spec, err := loadSpec(s, c.ID)
	if err != nil {
		return 0, err
	}
	proc, err := execProcess(spec, opt)
	if err != nil {
		return 0, err
	}
	var stdio container.Stdio
	var copies sync.WaitGroup
	var theirs []*os.File // the child's ends, closed here once it has them
	defer func() {
		for _, f := range theirs {
			f.Close()
		}
	}()
	if st.Stdin != nil && !opt.Terminal {
		pr, pw, err := os.Pipe()
		if err != nil {
			return 0, err
		}
		stdio.Stdin, theirs = pr, append(theirs, pr)
		go func() { _, _ = io.Copy(pw, st.Stdin); pw.Close() }()
	}
	for _, out := range []struct {
		w   io.Writer
		dst **os.File
	}{{st.Stdout, &stdio.Stdout}, {st.Stderr, &stdio.Stderr}} {
		if out.w == nil || opt.Terminal {
			continue
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			return 0, err
		}
		*out.dst, theirs = pw, append(theirs, pw)
		copies.Add(1)
		go func(w io.Writer) { defer copies.Done(); _, _ = io.Copy(w, pr); pr.Close() }(out.w)
	}
	p, err := container.Exec(c.Pid, container.ExecRequest{Process: proc, Annotations: spec.Annotations}, stdio)
	for _, f := range theirs {
		f.Close()
	}
	theirs = nil
	if err != nil {
		copies.Wait()
		return 0, err
	}
	if st.Started != nil {
		st.Started(p.Pid)
	}
	if p.Terminal != nil {
		if st.Resizable != nil {
			term := p.Terminal
			st.Resizable(func(rows, cols uint16) error {
				return unix.IoctlSetWinsize(int(term.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: rows, Col: cols})
			})
		}
		if st.Stdin != nil {
			go func() { _, _ = io.Copy(p.Terminal, st.Stdin) }()
		}
		if st.Stdout != nil {
			copies.Add(1)
			// The master reads EIO once the command and its children are gone.
			go func() { defer copies.Done(); _, _ = io.Copy(st.Stdout, p.Terminal) }()
		}
	}
	code, err := p.Wait()
	copies.Wait()
	if p.Terminal != nil {
		p.Terminal.Close()
	}
	return code, err
}
