package slirp

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/network"
)

// Backend is the network.Backend of pasta and slirp4netns.
type Backend struct{}

// slirp4netns's fixed addresses of the host and of its DNS forwarder.
const (
	slirpGateway = "10.0.2.2"
	slirpDNS     = "10.0.2.3"
)

func (Backend) Check(m network.Mode, ports []network.Port) error {
	if _, err := ParseNetwork(m); err != nil {
		return err
	}
	if _, err := Helper(m.Kind); err != nil {
		return err
	}
	return network.CheckHostPorts(ports)
}

func (Backend) Connect(m network.Mode, r network.Request) (network.Attachment, error) {
	o, err := ParseNetwork(m)
	if err != nil {
		return nil, err
	}
	o.Pid, o.Ports, o.StateDir = r.Pid, r.Ports, r.StateDir
	// A killed run may have left the directory behind.
	_ = os.RemoveAll(r.StateDir)
	if err := os.MkdirAll(r.StateDir, 0o700); err != nil {
		return nil, fmt.Errorf("network state directory: %w", err)
	}
	stack, ready, err := Start(o)
	if err != nil {
		_ = os.RemoveAll(r.StateDir)
		return nil, err
	}
	return &attachment{stack: stack, ready: ready, dir: r.StateDir}, nil
}

// HostGateway: slirp4netns's fixed gateway, pasta's copy of the host's
// default gateway.
func (Backend) HostGateway(m network.Mode) string {
	if m.Kind == Slirp4netns {
		return slirpGateway
	}
	return network.DefaultGateway("/proc/net/route")
}

// ResolvConf: slirp4netns's forwarder; for pasta the host's file without
// loopback nameservers, pasta's forwarder when none is left.
func (Backend) ResolvConf(m network.Mode, host string) string {
	if m.Kind == Slirp4netns {
		return "nameserver " + slirpDNS + "\n"
	}
	return network.WithoutLoopbackServers(host, PastaDNS)
}

type attachment struct {
	stack Stack
	ready func() error
	dir   string
}

func (a *attachment) Ready() error { return a.ready() }

func (a *attachment) Stop() error {
	err := a.stack.Stop()
	_ = os.RemoveAll(a.dir)
	return err
}
