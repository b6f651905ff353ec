package lifecycle

import (
	"fmt"
	"regexp"

	"github.com/burrow/burrow/errdefs"
)

// nameRE is docker's rule for container names: they end up in ps columns,
// logs and paths, where a slash, a newline or ".." does damage.
var nameRE = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// maxNameLen is the longest file name: a name longer than that cannot be
// used for anything derived from it on disk.
const maxNameLen = 255

// CheckName refuses a container name that docker would refuse, or that is
// longer than maxNameLen.
func CheckName(name string) error {
	if len(name) > maxNameLen {
		return fmt.Errorf("%w: container name of %d characters: at most %d", errdefs.ErrInvalidArgument, len(name), maxNameLen)
	}
	if !nameRE.MatchString(name) {
		return fmt.Errorf("%w: container name %q: only [a-zA-Z0-9][a-zA-Z0-9_.-]* is allowed", errdefs.ErrInvalidArgument, name)
	}
	return nil
}
