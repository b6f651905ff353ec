// Package nobridge picks the network.Backend of every mode whose stack is a
// container's own (none, host, container:NAME, pasta, slirp4netns): all but
// user-defined networks. It is what the small burrow-init's monitor links,
// so that the container's init and exec helper, which share that binary,
// do not carry the bridge backend's netlink, nftables and DNS code. burrow
// itself, and the monitor of a container on user-defined networks, use
// package backends, which knows them all.
package nobridge

import (
	"fmt"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/slirp"
)

// For is the backend of m, or an error for a user-defined network.
func For(m network.Mode) (network.Backend, error) {
	switch m.Kind {
	case network.None, network.Host, network.Container:
		return network.Static{}, nil
	case network.Pasta, network.Slirp4netns:
		return slirp.Backend{}, nil
	case network.Bridge:
		return nil, fmt.Errorf("--network %s: a user-defined network is wired by burrow, not by burrow-init's monitor: %w", m, errdefs.ErrInvalidArgument)
	}
	return nil, fmt.Errorf("%w: --network %s: no such network (want none, host, container:NAME, pasta or slirp4netns)", errdefs.ErrInvalidArgument, m)
}
