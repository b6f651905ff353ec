package monitor

import (
	"fmt"
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
