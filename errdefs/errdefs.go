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
	// ErrInUse: a container running, or an image a container uses; rm and
	// rmi exit 2 for it, as podman's do.
	ErrInUse           = errors.New("in use")
	ErrCommandNotFound = errors.New("executable file not found")
	ErrCannotExecute   = errors.New("permission denied")
	ErrVolumeUnknown   = errors.New("no such volume")
)

// exitCoder is an error that knows burrow's exit code (a container's own
// status, an init's report).
type exitCoder interface{ ExitCode() int }

// ExitCode maps an error to burrow's exit status: 0 for none, the code an
// error carries, 127 and 126 for a command that is missing or cannot run,
// 125 for anything else.
func ExitCode(err error) int {
	var coder exitCoder
	switch {
	case err == nil:
		return 0
	case errors.As(err, &coder):
		return coder.ExitCode()
	case errors.Is(err, ErrCommandNotFound):
		return ExitNotFound
	case errors.Is(err, ErrCannotExecute):
		return ExitCannotExec
	}
	return ExitBurrow
}

// reason is an error in the kernel's words that keeps the sentinel (and
// so the exit code) it stands for.
type reason struct {
	msg  string
	kind error
}

func (r reason) Error() string { return r.msg }
func (r reason) Unwrap() error { return r.kind }

// Reason says why in the kernel's words ("no such file or directory", "is
// a directory") while errors.Is still finds kind.
func Reason(msg string, kind error) error { return reason{msg, kind} }
