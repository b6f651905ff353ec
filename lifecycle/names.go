package lifecycle

import (
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/names"
)

// maxNameLen is the longest file name: a name longer than that cannot be
// used for anything derived from it on disk.
const maxNameLen = 255

// CheckName refuses a container name that docker would refuse, or that is
// longer than maxNameLen.
func CheckName(name string) error {
	if len(name) > maxNameLen {
		return fmt.Errorf("%w: container name of %d characters: at most %d", errdefs.ErrInvalidArgument, len(name), maxNameLen)
	}
	if !names.Valid(name) {
		return fmt.Errorf("%w: container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-]* is allowed", errdefs.ErrInvalidArgument, name)
	}
	return nil
}
