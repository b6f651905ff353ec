package container

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func parseCaps(names []string) ([]capability.Cap, error) {
	byName := map[string]capability.Cap{}
	for _, c := range capability.ListKnown() {
		byName["CAP_"+strings.ToUpper(c.String())] = c
	}
	caps := make([]capability.Cap, 0, len(names))
	for _, n := range names {
		c, ok := byName[strings.ToUpper(n)]
		if !ok {
			return nil, fmt.Errorf("unknown capability %q", n)
		}
		caps = append(caps, c)
	}
	return caps, nil
}

// limitBoundingSet must run before the user switch: dropping from the
// bounding set needs CAP_SETPCAP, which a non-root user no longer has.
func limitBoundingSet(c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	keep, err := parseCaps(c.Bounding)
	if err != nil {
		return err
	}
	caps, err := capability.NewPid2(0)
	if err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	if err := caps.Load(); err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	caps.Clear(capability.BOUNDING)
	caps.Set(capability.BOUNDING, keep...)
	if err := caps.Apply(capability.BOUNDING); err != nil {
		return fmt.Errorf("limit capability bounding set: %w", err)
	}
	return nil
}

// setCapabilities sets the effective and permitted sets after the user
// switch; inheritable and ambient stay empty so exec grants nothing extra.
func setCapabilities(c *specs.LinuxCapabilities) error {
	if c == nil {
		return nil
	}
	eff, err := parseCaps(c.Effective)
	if err != nil {
		return err
	}
	perm, err := parseCaps(c.Permitted)
	if err != nil {
		return err
	}
	caps, err := capability.NewPid2(0)
	if err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	if err := caps.Load(); err != nil {
		return fmt.Errorf("read capabilities: %w", err)
	}
	caps.Clear(capability.CAPS | capability.AMBIENT)
	caps.Set(capability.EFFECTIVE, eff...)
	caps.Set(capability.PERMITTED, perm...)
	if err := caps.Apply(capability.CAPS | capability.AMBIENT); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}
