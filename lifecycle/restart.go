package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
)

// RestartPolicy is --restart: what the monitor does when the command exits.
type RestartPolicy struct {
	Name       string // no, always, unless-stopped, on-failure
	MaxRetries int    // on-failure:N; 0 = no limit
}

// ParseRestartPolicy accepts docker's forms.
func ParseRestartPolicy(v string) (RestartPolicy, error) {
	name, max, hasMax := strings.Cut(v, ":")
	p := RestartPolicy{Name: name}
	switch name {
	case "", "no":
		p.Name = "no"
	case "always", "unless-stopped":
	case "on-failure":
		if hasMax {
			n, err := strconv.Atoi(max)
			if err != nil || n < 0 {
				return p, fmt.Errorf("restart policy %q: retry count must be a whole number: %w", v, errdefs.ErrInvalidArgument)
			}
			p.MaxRetries = n
		}
		return p, nil
	default:
		return p, fmt.Errorf("restart policy %q (want no, always, unless-stopped or on-failure[:N]): %w", v, errdefs.ErrInvalidArgument)
	}
	if hasMax {
		return p, fmt.Errorf("restart policy %q: only on-failure takes a count: %w", v, errdefs.ErrInvalidArgument)
	}
	return p, nil
}

func (p RestartPolicy) restart(code, restarts int) bool {
	switch p.Name {
	case "always", "unless-stopped":
		return true
	case "on-failure":
		return code != 0 && (p.MaxRetries == 0 || restarts < p.MaxRetries)
	}
	return false
}

// The stop marker tells the monitor that the user stopped the container
// (stop, kill, rm -f), so its restart policy does not apply.
func stopMarker(runRoot, id string) string { return filepath.Join(stateDir(runRoot), id+".stopped") }

func markManualStop(runRoot, id string) error {
	if err := os.WriteFile(stopMarker(runRoot, id), nil, 0o600); err != nil {
		return fmt.Errorf("mark %s stopped: %w", id, err)
	}
	return nil
}

func manuallyStopped(runRoot, id string) bool {
	_, err := os.Stat(stopMarker(runRoot, id))
	return err == nil
}

func clearManualStop(runRoot, id string) {
	if err := os.Remove(stopMarker(runRoot, id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		_ = err // a stale marker only means "stopped", which is true by then
	}
}
