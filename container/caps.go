package container

import (
	"fmt"
	"strings"

	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
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

// keepCapsAcrossSwitch keeps the permitted set through the switch to a
// non-root user that is to hold capabilities (--cap-add); the kernel would
// clear it. execve clears the flag again.
func keepCapsAcrossSwitch(c *specs.LinuxCapabilities, uid uint32) error {
	if c == nil || uid == 0 || len(c.Permitted) == 0 {
		return nil
	}
	if err := unix.Prctl(unix.PR_SET_KEEPCAPS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("keep capabilities across the user switch: %w", err)
	}
	return nil
}

// setCapabilities sets the effective, permitted, inheritable and ambient
// sets after the user switch; only what the spec names survives the exec.
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
	inh, err := parseCaps(c.Inheritable)
	if err != nil {
		return err
	}
	amb, err := parseCaps(c.Ambient)
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
	caps.Set(capability.INHERITABLE, inh...)
	caps.Set(capability.AMBIENT, amb...)
	if err := caps.Apply(capability.CAPS | capability.AMBIENT); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}
