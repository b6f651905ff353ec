package engine

import (
	"fmt"
	"github.com/burrow/burrow/ocispec"
	"net"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/bridge"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/netconf"
	"github.com/burrow/burrow/network"
)

// Types of user-defined networks the front ends fill in or read.
type (
	Network              = netconf.Network
	NetworkCreateOptions = netconf.CreateOpt
)

// NetworkMember is a container on a network, as inspect shows it.
type NetworkMember struct {
	ID, Name string
	IP       string // while it runs
	Aliases  []string
}

func (e *Engine) networks() netconf.Store {
	return netconf.Store{Dir: filepath.Join(e.paths.Data, "networks"),
		HostRoutes: func() []*net.IPNet { return netconf.HostRoutes("/proc/net/route") }}
}

// CreateNetwork validates and stores a network; its bridge is made when a
// container first joins it.
func (e *Engine) CreateNetwork(o NetworkCreateOptions) (Network, error) {
	n, err := e.networks().Create(o)
	if err == nil {
		e.networkEvent("create", n, nil)
	}
	return n, err
}

// Networks lists the user-defined networks by name.
func (e *Engine) Networks() ([]Network, error) { return e.networks().List() }

// Network finds a network by name or ID prefix (the default one is made
// on first use).
func (e *Engine) Network(ref string) (Network, error) {
	n, err := e.networks().Get(ref)
	if err != nil {
		return n, fmt.Errorf("%w: %w", err, errdefs.ErrInvalidArgument)
	}
	return n, nil
}

// NetworkExists reports whether ref names a network, without making the
// default one.
func (e *Engine) NetworkExists(ref string) (bool, error) {
	all, err := e.networks().List()
	for _, n := range all {
		if n.Name == ref || (len(ref) >= 3 && strings.HasPrefix(n.ID, ref)) {
			return true, err
		}
	}
	return false, err
}

// NetworkMembers are the containers (any state) whose record names n.
func (e *Engine) NetworkMembers(n Network) ([]NetworkMember, error) {
	users, err := lifecycle.NetworkUsers(e.store, e.paths.RunRoot, n.ID)
	if err != nil {
		return nil, err
	}
	var out []NetworkMember
	for _, u := range users {
		m := NetworkMember{ID: u.ID, Name: u.Record.Name}
		if ip, ok := bridge.Address(e.paths.RunRoot, u.ID, n.ID); ok && u.Running {
			m.IP = ip.String()
		}
		for _, a := range u.Record.Networks {
			if a.Network.ID == n.ID {
				m.Aliases = a.Aliases
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// RemoveNetwork deletes a network no container uses; force removes those
// containers first.
func (e *Engine) RemoveNetwork(ref string, force bool) error {
	n, err := e.Network(ref)
	if err != nil {
		return err
	}
	if err := lifecycle.RemoveNetwork(e.store, e.paths.RunRoot, e.networks(), n, force); err != nil {
		return err
	}
	e.networkEvent("remove", n, nil)
	return nil
}

// PruneNetworks removes every network but the default that no container
// uses, and returns their names.
func (e *Engine) PruneNetworks() ([]string, error) {
	all, err := e.networks().List()
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, n := range all {
		if n.Name == netconf.DefaultName {
			continue
		}
		users, err := lifecycle.NetworkUsers(e.store, e.paths.RunRoot, n.ID)
		if err != nil {
			return removed, err
		}
		if len(users) > 0 {
			continue
		}
		if err := e.networks().Remove(n.Name); err != nil {
			return removed, err
		}
		e.networkEvent("remove", n, nil)
		removed = append(removed, n.Name)
	}
	return removed, nil
}

// ConnectOptions are network connect's.
type ConnectOptions struct {
	Aliases []string
	IP      string
}

// ConnectNetwork puts a container on one more network: now when it runs,
// at its next start when it does not.
func (e *Engine) ConnectNetwork(netRef, ctrRef string, o ConnectOptions) error {
	n, err := e.Network(netRef)
	if err != nil {
		return err
	}
	c, unlock, err := e.lockedContainer(ctrRef)
	if err != nil {
		return err
	}
	defer unlock()
	attach, err := e.networks().Resolve(netconf.AttachOpt{Networks: []string{n.Name}, IP: o.IP, Aliases: o.Aliases})
	if err != nil {
		return err
	}
	if err := lifecycle.ConnectNetwork(e.store, e.paths.RunRoot, c, attach[0]); err != nil {
		return err
	}
	e.networkEvent("connect", n, &c)
	return nil
}

// DisconnectNetwork takes a container off a network.
func (e *Engine) DisconnectNetwork(netRef, ctrRef string) error {
	n, err := e.Network(netRef)
	if err != nil {
		return err
	}
	c, unlock, err := e.lockedContainer(ctrRef)
	if err != nil {
		return err
	}
	defer unlock()
	if err := lifecycle.DisconnectNetwork(e.store, e.paths.RunRoot, c, n); err != nil {
		return err
	}
	e.networkEvent("disconnect", n, &c)
	return nil
}

// checkNetworkFlags: --ip and --network-alias need a user-defined network.
func checkNetworkFlags(m network.Mode, o ContainerOptions) error {
	if m.Kind != network.Bridge && (len(o.NetworkAliases) > 0 || o.IP != "" || o.MacAddress != "" || len(o.Links) > 0) {
		return fmt.Errorf("%w: --network-alias, --ip, --mac-address and --link need a user-defined network (--network NAME), not %s", errdefs.ErrInvalidArgument, m)
	}
	return nil
}

// resolveNetworks finds the network a container joins (the default one is
// made on first use) and checks --ip against it, before anything exists.
func (e *Engine) resolveNetworks(c *lifecycle.CreateOpt, o ContainerOptions) error {
	if c.Network.Kind != network.Bridge {
		return nil
	}
	var err error
	c.Networks, err = e.networks().Resolve(netconf.AttachOpt{Networks: c.Network.Networks(), IP: o.IP, MAC: o.MacAddress, Aliases: o.NetworkAliases})
	if err != nil || len(o.Links) == 0 {
		return err
	}
	// The legacy variables name this container: it needs its name now.
	if c.Name == "" {
		c.Name = lifecycle.GenerateName()
	}
	links, err := lifecycle.ResolveLinks(e.store, e.paths.RunRoot, c.Networks[0].Network, c.Name, o.Links)
	if err != nil {
		return err
	}
	c.AddHosts = append(c.AddHosts, links.Hosts...)
	c.Env = ocispec.MergeEnv(links.Env, c.Env)
	return nil
}

// SortSubnets takes network create's --subnet values apart into the IPv4
// and the IPv6 one.
func SortSubnets(subnets []string) (v4, v6 string, err error) { return netconf.SortSubnets(subnets) }

// ErrNetworkUnknown is a network name or ID that no network has.
var ErrNetworkUnknown = netconf.ErrNetworkUnknown

// Endpoint is a container's place on one user-defined network.
type Endpoint struct {
	Network Network
	IP      string // while it runs
	Aliases []string
}

// Endpoints are the user-defined networks c is on, as its record says.
func (e *Engine) Endpoints(c Container) []Endpoint {
	var out []Endpoint
	for _, a := range c.Record.Networks {
		ep := Endpoint{Network: a.Network, Aliases: a.Aliases}
		if ip, ok := bridge.Address(e.paths.RunRoot, c.ID, a.Network.ID); ok && c.Running {
			ep.IP = ip.String()
		}
		out = append(out, ep)
	}
	return out
}
