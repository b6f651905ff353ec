package bridge

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/hostbin"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/slirp"
)

// Backend is the network.Backend of user-defined networks.
type Backend struct{}

// Check: the uplink needs pasta, and published ports must be free.
func (Backend) Check(m network.Mode, ports []network.Port) error {
	if _, err := hostbin.Find("pasta"); err != nil {
		return fmt.Errorf("--network %s: user-defined networks reach the world through pasta: %w: %w", m, err, errdefs.ErrInvalidArgument)
	}
	return network.CheckHostPorts(ports)
}

// Connect wires the container to the networks of r (resolved at create)
// and publishes its ports straight into its namespace.
func (Backend) Connect(m network.Mode, r network.Request) (network.Attachment, error) {
	if len(r.Networks) == 0 {
		return nil, fmt.Errorf("--network %s: the container's record has no resolved network: %w", m, errdefs.ErrInvalidArgument)
	}
	o := Opt{RunRoot: r.RunRoot, ID: r.ID, Name: r.Name, Attach: r.Networks}
	up, err := connect(o, r.Pid)
	if err != nil {
		return nil, err
	}
	return &attachment{opt: o, pid: r.Pid, ports: r.Ports, dir: r.StateDir, up: up}, nil
}

// HostGateway: none; the uplink does not map the host's loopback.
func (Backend) HostGateway(network.Mode) string { return "" }

// ResolvConf: the host's file without loopback servers; create replaces
// the servers with the networks' responders, whose addresses it knows.
func (Backend) ResolvConf(_ network.Mode, host string) string {
	return network.WithoutLoopbackServers(host, upstreamDNS)
}

type attachment struct {
	opt       Opt
	pid       int
	ports     []network.Port
	dir       string
	up        func() error
	stopPorts func()
}

// Ready waits for the uplink (overlapping the container's own set-up, as
// pasta's configuration does) and publishes the ports.
func (a *attachment) Ready() error {
	if err := a.up(); err != nil {
		return err
	}
	if len(a.ports) == 0 {
		return nil
	}
	_ = os.RemoveAll(a.dir)
	if err := os.MkdirAll(a.dir, 0o700); err != nil {
		return fmt.Errorf("network state directory: %w", err)
	}
	stop, err := publishPorts(a.pid, a.dir, a.ports)
	a.stopPorts = stop
	return err
}

func (a *attachment) Stop() error {
	if a.stopPorts != nil {
		a.stopPorts()
	}
	if len(a.ports) > 0 {
		_ = os.RemoveAll(a.dir)
	}
	Release(a.opt.RunRoot, a.opt.ID)
	return nil
}

// publishPorts is the port driver that pasta and slirp4netns use for
// what they do not carry: both halves in the container's parent.
var publishPorts = slirp.PublishPorts
