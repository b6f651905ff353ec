package engine

import (
	"fmt"
	"net"

	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
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
