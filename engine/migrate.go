package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/userns"
)

// DefaultMigrateTimeout is how long Migrate waits for other burrow
// commands in the namespace (an `events`, a build) to end before it gives up.
const DefaultMigrateTimeout = 30 * time.Second

// Migrate is `system migrate`, podman's meaning: stop every running
// container, then retire the user-namespace holder so that the next
// command starts one mapped from /etc/subuid and /etc/subgid as they are
// now. First it waits up to timeout for the other burrow commands in the
// namespace to end (a foreground run among them, so its container ends as
// its user meant) and keeps new ones out; then it stops the detached
// containers. It returns the IDs of the containers it stopped.
func (e *Engine) Migrate(timeout time.Duration) ([]string, error) {
	release, err := userns.Exclusive(e.paths.RunRoot, timeout)
	if err != nil {
		return nil, err
	}
	defer release()
	stopped, err := e.stopAll()
	if err != nil {
		return stopped, err
	}
	if err := userns.Retire(e.paths.RunRoot); err != nil {
		return stopped, fmt.Errorf("retire the user namespace holder: %w", err)
	}
	return stopped, nil
}

func (e *Engine) stopAll() ([]string, error) {
	ctrs, err := e.Containers()
	if err != nil {
		return nil, err
	}
	var stopped []string
	for _, c := range ctrs {
		if !c.Running && !c.Owned { // owned: a monitor waits to restart it
			continue
		}
		err := e.Stop(c.ID, ContainerStopTimeout)
		if errors.Is(err, errdefs.ErrContainerUnknown) { // a --rm one, gone meanwhile
			continue
		}
		if err != nil {
			return stopped, fmt.Errorf("stop %s before migrating: %w", c.Record.Name, err)
		}
		stopped = append(stopped, c.ID)
	}
	return stopped, nil
}
