package engine

import (
	"fmt"
	"io"
	"net"

	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/detachkeys"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/monitor"
)

// AttachStdin connects to the stdin of a running container created with
// OpenStdin: what is written reaches it, closing the write side is its
// EOF (with StdinOnce, its stdin's end).
func (e *Engine) AttachStdin(ref string) (*net.UnixConn, error) {
	c, err := e.Container(ref)
	if err != nil {
		return nil, err
	}
	if !c.Record.OpenStdin {
		return nil, fmt.Errorf("%w: container %s has no stdin to attach to (create it with stdin open: -i)", errdefs.ErrInvalidArgument, c.Record.Name)
	}
	if !c.Running {
		return nil, fmt.Errorf("%w: container %s is not running", errdefs.ErrInvalidArgument, c.Record.Name)
	}
	return monitor.AttachStdin(ctrstate.AttachPath(e.paths.RunRoot, c.ID))
}

// AttachTerminal joins this process's terminal to a running container's
// (created with -i and -t), live, until it exits (its exit code) or the
// keys detach (detached; the container runs on).
func (e *Engine) AttachTerminal(ref string, keys []byte, sigProxy bool) (code int, detached bool, err error) {
	c, err := e.Container(ref)
	if err != nil {
		return 0, false, err
	}
	if !c.Running || !c.Record.Terminal || !c.Record.OpenStdin {
		return 0, false, fmt.Errorf("%w: container %s is not running with a terminal and stdin", errdefs.ErrInvalidArgument, c.Record.Name)
	}
	return lifecycle.AttachTerminal(e.paths.RunRoot, c, keys, !sigProxy)
}

// Resize sets the terminal size of a running container that has one.
func (e *Engine) Resize(ref string, rows, cols uint16) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if !c.Running {
		return fmt.Errorf("%w: container %s is not running", errdefs.ErrInvalidArgument, c.Record.Name)
	}
	return monitor.Resize(ctrstate.AttachPath(e.paths.RunRoot, c.ID), rows, cols)
}

// DefaultDetachKeys is docker's and podman's detach sequence.
const DefaultDetachKeys = detachkeys.Default

// ErrDetached is CopyDetach's answer to the detach sequence.
var ErrDetached = detachkeys.ErrDetached

// ParseDetachKeys reads --detach-keys ("" is none: nil).
func ParseDetachKeys(s string) ([]byte, error) { return detachkeys.Parse(s) }

// CopyDetach copies typed input until EOF or the detach keys.
func CopyDetach(dst io.Writer, src io.Reader, keys []byte) error {
	return detachkeys.Copy(dst, src, keys)
}
