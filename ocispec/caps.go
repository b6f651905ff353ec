package ocispec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/moby/sys/capability"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Security is what loosens or tightens the boundary on request.
type Security struct {
	CapAdd, CapDrop []string // names with or without CAP_, any case; ALL
	Privileged      bool     // every capability, no seccomp, no masks, /sys writable
	NewPrivileges   bool     // --security-opt no-new-privileges=false: setuid binaries work
	Mask, Unmask    []string // more masked paths; paths (or ALL) to leave unmasked
	Label           []string // --security-opt label=, checked by ParseLabel
}

// CapName is a capability's name as the spec writes it (CAP_NET_ADMIN).
func CapName(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s == "ALL" || strings.HasPrefix(s, "CAP_") {
		return s
	}
	return "CAP_" + s
}

// supportedCaps are the capabilities this kernel has, by spec name.
func supportedCaps() []string {
	list, err := capability.ListSupported()
	if err != nil {
		list = capability.ListKnown()
	}
	names := make([]string, 0, len(list))
	for _, c := range list {
		names = append(names, "CAP_"+strings.ToUpper(c.String()))
	}
	return names
}

// BoundingSet is docker's default set with --cap-add and --cap-drop applied
// as docker does (drop ALL first, then add; add ALL, then drop), or every
// capability for --privileged. Unknown names are refused by name.
func BoundingSet(sec Security) ([]string, error) {
	return boundingFrom(DefaultCaps, sec)
}

// ExecBoundingSet is the bounding set of `exec --cap-add/--cap-drop/
// --privileged`: the container's own set (base) with the same rules.
func ExecBoundingSet(base []string, sec Security) ([]string, error) {
	return boundingFrom(base, sec)
}

func boundingFrom(base []string, sec Security) ([]string, error) {
	all := supportedCaps()
	add, err := capNames(sec.CapAdd, all)
	if err != nil {
		return nil, err
	}
	drop, err := capNames(sec.CapDrop, all)
	if err != nil {
		return nil, err
	}
	set := slices.Clone(base)
	if sec.Privileged || slices.Contains(add, "ALL") {
		set = slices.Clone(all)
	}
	if slices.Contains(drop, "ALL") {
		set = nil
	}
	for _, c := range add {
		if c != "ALL" && !slices.Contains(set, c) {
			set = append(set, c)
		}
	}
	if !slices.Contains(drop, "ALL") {
		set = slices.DeleteFunc(set, func(c string) bool { return slices.Contains(drop, c) && !slices.Contains(add, c) })
	}
	return set, nil
}

func capNames(in []string, known []string) ([]string, error) {
	out := make([]string, 0, len(in))
	for _, n := range in {
		c := CapName(n)
		if c != "ALL" && !slices.Contains(known, c) {
			return nil, fmt.Errorf("unknown capability %q: %w", n, errdefs.ErrInvalidArgument)
		}
		out = append(out, c)
	}
	return out, nil
}

// ProcessCaps gives root the bounding set as effective and permitted, as
// docker does. A non-root user gets nothing effective, except what
// --cap-add named, which it holds as ambient capabilities (as podman
// does), so they survive the exec of an ordinary binary.
func ProcessCaps(bounding []string, uid uint32, added []string) *specs.LinuxCapabilities {
	c := &specs.LinuxCapabilities{Bounding: bounding}
	if uid == 0 {
		c.Effective, c.Permitted = bounding, bounding
		return c
	}
	for _, n := range added {
		if n = CapName(n); slices.Contains(bounding, n) {
			c.Ambient = append(c.Ambient, n)
		}
	}
	c.Effective, c.Permitted, c.Inheritable = c.Ambient, c.Ambient, c.Ambient
	return c
}
