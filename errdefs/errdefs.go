// Package errdefs holds the sentinel errors that decide burrow's exit
// codes, checked with errors.Is, and the exit codes themselves (docker's).
package errdefs

import "errors"

// Exit codes shared with docker and podman: scripts test for them.
const (
	ExitBurrow      = 125 // burrow itself failed
	ExitCannotExec  = 126 // the command exists but cannot be run
	ExitNotFound    = 127 // the command does not exist
	ExitSignalShift = 128 // a container killed by signal N exits 128+N
)

var (
	ErrImageUnknown     = errors.New("image not known")
	ErrContainerUnknown = errors.New("no such container")
	ErrNameInUse        = errors.New("name is already in use")
	ErrInvalidArgument  = errors.New("invalid argument")
	ErrCommandNotFound  = errors.New("executable file not found")
	ErrCannotExecute    = errors.New("permission denied")
)
