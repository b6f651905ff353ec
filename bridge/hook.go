package bridge

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/netconf"
	"github.com/vishvananda/netns"
)

// Opt says how to connect one container to its networks.
type Opt struct {
	RunRoot, ID, Name string
	Attach            []netconf.Attach
}

// Connect wires the container whose PID 1 is pid to each network of o,
// starting the rootless netns when none runs, and returns once the netns
// reaches out. On error nothing of it is left (its namespace takes the
// veths along as it exits).
func Connect(o Opt, pid int) error {
	up, err := connect(o, pid)
	if err != nil {
		return err
	}
	return up()
}

// connect wires the container; up waits for the rootless netns's uplink,
// which a netns started here is still bringing up: a container starting
// meanwhile waits for it only before its command runs.
func connect(o Opt, pid int) (up func() error, err error) {
	unlock, err := lock(o.RunRoot)
	if err != nil {
		return nil, err
	}
	defer unlock()
	started, wait, err := prepare(o.RunRoot)
	if err != nil {
		return nil, err
	}
	err = inNetns(nsFile(o.RunRoot), func() error { return connectIn(o, pid, started) })
	if err != nil {
		if wait != nil {
			_ = wait()
		}
		return nil, err
	}
	if wait != nil {
		return wait, nil
	}
	return func() error { return waitUplink(o.RunRoot) }, nil
}

func connectIn(o Opt, pid int, started bool) error {
	ns, err := openRootless(o.RunRoot)
	if err != nil {
		return err
	}
	defer ns.close()
	if started {
		if err := ns.rewire(o.RunRoot); err != nil {
			return err
		}
	}
	ctrNs, err := netns.GetFromPath(fmt.Sprintf("/proc/%d/ns/net", pid))
	if err != nil {
		return fmt.Errorf("the container's network namespace: %w", err)
	}
	defer ctrNs.Close()
	var made []Endpoint
	for _, a := range o.Attach {
		ep, err := ns.join(o, a, ctrNs)
		if err != nil {
			for _, m := range made {
				ns.unwire(m)
				removeEndpoint(o.RunRoot, m)
			}
			if started { // the containers rewired above need their rules
				_ = setRules(activeNetworks(o.RunRoot))
			}
			return err
		}
		made = append(made, ep)
	}
	return setRules(activeNetworks(o.RunRoot))
}

// join allocates the container's address on one network, wires it and
// records the endpoint.
func (n *namespaces) join(o Opt, a netconf.Attach, ctrNs netns.NsHandle) (Endpoint, error) {
	inUse := map[string]bool{}
	for _, ep := range NetworkEndpoints(o.RunRoot, a.Network.ID) {
		if ep.Container == o.ID {
			return ep, fmt.Errorf("container %s is already on network %s", o.Name, a.Network.Name)
		}
		if a.MAC != "" && strings.EqualFold(ep.MAC, a.MAC) {
			return Endpoint{}, fmt.Errorf("--mac-address %s: container %s has it on network %s: %w", a.MAC, ep.Name, a.Network.Name, errdefs.ErrInvalidArgument)
		}
		inUse[ep.IP] = true
	}
	ip, err := netconf.Allocate(a.Network, inUse, a.IP)
	if err != nil {
		return Endpoint{}, err
	}
	mac := a.MAC
	if mac == "" {
		mac = netconf.MAC(ip).String()
	}
	iface, err := nextIface(ctrNs)
	if err != nil {
		return Endpoint{}, err
	}
	ep := Endpoint{Container: o.ID, Name: o.Name, Aliases: a.Aliases, Network: a.Network, IP: ip.String(),
		IP6: ipString(netconf.Mirror6(a.Network, ip)), MAC: mac, Iface: iface, HostIface: hostIface(o.ID, a.Network.ID)}
	defaultRoute := !a.Network.Internal && !containerRoutesOut(ctrNs)
	if err := n.wire(ctrNs, ep, defaultRoute); err != nil {
		return Endpoint{}, err
	}
	if err := writeEndpoint(o.RunRoot, ep); err != nil {
		n.unwire(ep)
		return Endpoint{}, fmt.Errorf("record the address of %s on %s: %w", o.Name, a.Network.Name, err)
	}
	return ep, nil
}

// prepare drops endpoints whose owner is gone and starts the rootless
// netns when it is not running; started says that every live container
// must be wired again, and up waits for the new netns's uplink. Called
// under lock, outside the namespace (the holder must start in the host's).
func prepare(runRoot string) (bool, func() error, error) {
	dropDead(runRoot)
	return ensureHolder(runRoot)
}

// rewire gives every running container its endpoints again in a new
// rootless netns: the old one, killed, took the veths along. The caller
// sets the rules after, once for all.
func (n *namespaces) rewire(runRoot string) error {
	eps, _ := Endpoints(runRoot)
	routed := map[string]bool{}
	for _, ep := range sortedByIface(eps) {
		st, ok := ownerAlive(runRoot, ep.Container)
		if !ok || st.Pid == 0 {
			removeEndpoint(runRoot, ep)
			continue
		}
		ctrNs, err := netns.GetFromPath(fmt.Sprintf("/proc/%d/ns/net", st.Pid))
		if err != nil {
			removeEndpoint(runRoot, ep)
			continue
		}
		route := !ep.Network.Internal && !routed[ep.Container]
		err = n.wire(ctrNs, ep, route)
		ctrNs.Close()
		if err != nil {
			return fmt.Errorf("wire %s again: %w", ep.Name, err)
		}
		routed[ep.Container] = routed[ep.Container] || route
	}
	return nil
}

func sortedByIface(eps []Endpoint) []Endpoint {
	out := append([]Endpoint(nil), eps...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j].Iface < out[i].Iface {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

// activeNetworks are the networks with at least one endpoint.
func activeNetworks(runRoot string) []netconf.Network {
	eps, _ := Endpoints(runRoot)
	seen := map[string]bool{}
	var out []netconf.Network
	for _, ep := range eps {
		if !seen[ep.Network.ID] {
			seen[ep.Network.ID] = true
			out = append(out, ep.Network)
		}
	}
	return out
}

// dropDead removes endpoints whose container no live burrow owns.
func dropDead(runRoot string) int {
	eps, _ := Endpoints(runRoot)
	live := 0
	for _, ep := range eps {
		if _, ok := ownerAlive(runRoot, ep.Container); ok {
			live++
			continue
		}
		removeEndpoint(runRoot, ep)
	}
	return live
}

// Release forgets a stopped container's endpoints and stops the rootless
// netns when no container uses it any more.
func Release(runRoot, id string) {
	unlock, err := lock(runRoot)
	if err != nil {
		return
	}
	defer unlock()
	for _, ep := range ContainerEndpoints(runRoot, id) {
		removeEndpoint(runRoot, ep)
	}
	if !anyLive(runRoot) {
		stopHolder(runRoot)
	}
}

// Repair runs in every command that opens the store: endpoints of
// containers whose burrow was killed are released, the rootless netns goes
// when nothing uses it, and when something killed it while containers use
// it, it is built again and they are wired into it. One directory read
// when there is nothing to do.
func Repair(runRoot string) {
	if _, err := os.Stat(Dir(runRoot)); errors.Is(err, os.ErrNotExist) {
		return
	}
	eps, _ := Endpoints(runRoot)
	dead := false
	for _, ep := range eps {
		if _, ok := ownerAlive(runRoot, ep.Container); !ok {
			dead = true
		}
	}
	running := Running(runRoot)
	_, err := os.Stat(nsFile(runRoot))
	stale := !running && err == nil // a killed holder's namespace, still bound
	if !dead && !stale && (len(eps) > 0) == running {
		return
	}
	unlock, err := lock(runRoot)
	if err != nil {
		return
	}
	defer unlock()
	if dropDead(runRoot) == 0 {
		stopHolder(runRoot)
		return
	}
	started, up, err := prepare(runRoot)
	if err == nil && started {
		_ = inNetns(nsFile(runRoot), func() error {
			ns, err := openRootless(runRoot)
			if err != nil {
				return err
			}
			defer ns.close()
			if err := ns.rewire(runRoot); err != nil {
				return err
			}
			return setRules(activeNetworks(runRoot))
		})
	}
	if up != nil {
		_ = up()
	}
}

// Disconnect takes a running container off one network (network disconnect).
func Disconnect(runRoot, id, netID string) error {
	unlock, err := lock(runRoot)
	if err != nil {
		return err
	}
	defer unlock()
	for _, ep := range ContainerEndpoints(runRoot, id) {
		if ep.Network.ID != netID {
			continue
		}
		_ = inNetns(nsFile(runRoot), func() error {
			ns, err := openRootless(runRoot)
			if err == nil {
				ns.unwire(ep)
				ns.close()
			}
			return err
		})
		removeEndpoint(runRoot, ep)
		return nil
	}
	return fmt.Errorf("the container is not connected to that network: %w", errNotConnected)
}

var errNotConnected = errors.New("not connected")

// Address is a container's address on a network, for inspect.
func Address(runRoot, id, netID string) (net.IP, bool) {
	for _, ep := range ContainerEndpoints(runRoot, id) {
		if ep.Network.ID == netID {
			return net.ParseIP(ep.IP), true
		}
	}
	return nil, false
}

// ipString is "" for nil, where net.IP's String says "<nil>".
func ipString(ip net.IP) string {
	if ip == nil {
		return ""
	}
	return ip.String()
}
