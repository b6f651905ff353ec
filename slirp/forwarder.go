package slirp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/burrow/burrow/network"
	"github.com/rootless-containers/rootlesskit/v3/pkg/port"
	"github.com/rootless-containers/rootlesskit/v3/pkg/port/builtin"
)

// forwarder publishes ports for slirp4netns with rootlesskit's builtin port
// driver, both halves in this process: the parent half listens on the host,
// the child half dials the port inside the container's network namespace
// (entered per connection through /proc/PID/ns/net) and hands the socket
// back. Unlike slirp4netns's own hostfwd, the data never crosses the
// user-mode TCP/IP stack and a client on the host's loopback stays
// 127.0.0.1 inside rather than becoming the gateway 10.0.2.2.
type forwarder struct {
	parent port.ParentDriver
	quit   chan struct{}
	errc   chan error
}

// childIP is what the child half dials: the container's loopback, so a
// server bound to 127.0.0.1 or to all addresses answers, and no host
// address (meaningless inside) is ever dialled.
const childIP = "127.0.0.1"

// startForwarder runs the driver for the container whose init is pid and
// publishes ports. stateDir holds the driver's socket and ready pipe.
//
// A port other clients than the host's loopback can reach gets the
// driver's source-IP transparency: the child half dials from the client's
// own address (IP_TRANSPARENT, with policy routing and nftables or
// iptables rules it adds in the container's namespace on the first such
// connection). Its probe for nft costs a few ms at start, so ports bound to
// loopback only go without.
func startForwarder(pid int, stateDir string, ports []network.Port) (*forwarder, error) {
	transparent := reachableFromOutside(ports)
	if transparent {
		sbinInPath()
	}
	parent, err := builtin.NewParentDriver(portLog(), stateDir, transparent, "")
	if err != nil {
		return nil, fmt.Errorf("port driver: %w", err)
	}
	f := &forwarder{parent: parent, quit: make(chan struct{}), errc: make(chan error, 2)}
	child := builtin.NewChildDriver(portLog())
	netns := fmt.Sprintf("/proc/%d/ns/net", pid)
	go func() { f.errc <- child.RunChildDriver(parent.OpaqueForChild(), f.quit, netns) }()
	ready := make(chan struct{}, 1)
	go func() { f.errc <- parent.RunParentDriver(ready, f.quit, nil) }()
	if err := f.awaitReady(ready); err != nil {
		f.stop()
		return nil, err
	}
	for _, p := range ports {
		if err := f.publish(p); err != nil {
			f.stop()
			return nil, err
		}
	}
	return f, nil
}

func (f *forwarder) awaitReady(ready <-chan struct{}) error {
	select {
	case <-ready:
		return nil
	case err := <-f.errc:
		if err == nil {
			err = errors.New("stopped early")
		}
		return fmt.Errorf("port driver: %w", err)
	case <-time.After(10 * time.Second):
		return errors.New("port driver: its two halves did not connect within 10s")
	}
}

func (f *forwarder) publish(p network.Port) error {
	spec := port.Spec{Proto: p.Proto, ParentIP: p.HostIP, ParentPort: int(p.HostPort),
		ChildIP: childIP, ChildPort: int(p.ContainerPort)}
	if _, err := f.parent.AddPort(context.Background(), spec); err != nil {
		return fmt.Errorf("publish %s: %w", p, err)
	}
	return nil
}

// stop closes every listener, so the host ports are free when it returns.
func (f *forwarder) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if ports, err := f.parent.ListPorts(ctx); err == nil {
		for _, p := range ports {
			_ = f.parent.RemovePort(ctx, p.ID)
		}
	}
	close(f.quit)
}

func reachableFromOutside(ports []network.Port) bool {
	for _, p := range ports {
		if ip := net.ParseIP(p.HostIP); ip == nil || !ip.IsLoopback() {
			return true
		}
	}
	return false
}

// sbinInPath lets the driver find ip, sysctl and nft, which Debian keeps
// in /usr/sbin, outside a normal user's PATH.
func sbinInPath() {
	path := os.Getenv("PATH")
	for _, dir := range []string{"/usr/sbin", "/sbin"} {
		if !slices.Contains(filepath.SplitList(path), dir) {
			path += string(filepath.ListSeparator) + dir
		}
	}
	_ = os.Setenv("PATH", path)
}

// portLog is where the driver's own messages go: nowhere unless
// BURROW_PORT_DEBUG is set: they are for debugging.
func portLog() io.Writer {
	if os.Getenv("BURROW_PORT_DEBUG") != "" {
		return os.Stderr
	}
	return io.Discard
}

// PublishPorts runs the port driver for a container whose network is not
// a helper's (a bridge network) and returns what stops it.
func PublishPorts(pid int, stateDir string, ports []network.Port) (func(), error) {
	f, err := startForwarder(pid, stateDir, ports)
	if err != nil {
		return nil, err
	}
	return f.stop, nil
}
