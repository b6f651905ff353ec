package lifecycle

import (
	"fmt"

	"github.com/burrow/burrow/ctrstate"
	"go.podman.io/storage"
)

// FinishVerb is the hidden argv[1] with which a monitor hands over the end
// of its container: `burrow __finish ID EXITCODE STARTED`.
const FinishVerb = "__finish"

// Finish records how a detached container ended (when it ever ran),
// releases its root (removing the container for --rm) and drops its
// run-time state.
func Finish(s storage.Store, runRoot, id string, code int, started bool) error {
	ctr, err := s.Container(id)
	if err != nil {
		return fmt.Errorf("container %s: %w", id, err)
	}
	c := &created{ID: id, Record: DecodeRecord(ctr.Metadata)}
	if st, ok := ctrstate.Read(runRoot, id); ok {
		c.Record.Started, c.Record.RestartCount = st.Started, st.RestartCount
	}
	return finish(s, runRoot, c, code, started)
}
