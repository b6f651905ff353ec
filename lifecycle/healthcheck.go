package lifecycle

import (
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	"go.podman.io/storage"
)

// HealthCheck runs a running container's healthcheck once now, records
// the result as the monitor's checks do, and returns it.
func HealthCheck(s storage.Store, runRoot string, c Container) (health.Result, error) {
	if c.Record.Health == nil {
		return health.Result{}, fmt.Errorf("container %s has no healthcheck: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	if !c.Running {
		return health.Result{}, fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	spec, err := loadSpec(s, c.ID)
	if err != nil {
		return health.Result{}, err
	}
	r := health.Run(spec, c.Pid, *c.Record.Health)
	state, _ := health.Read(runRoot, c.ID)
	state.Record(r, *c.Record.Health, c.Record.Started)
	return r, health.Write(runRoot, c.ID, state)
}
