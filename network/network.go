// Package network is what every network mode of a container has in
// common: the parsed --network value (Mode), published ports, the
// interface a mode's backend implements, and reading a running container's
// addresses and counters. The backends live in their own packages (slirp
// for pasta and slirp4netns; none, host and container:NAME need nothing
// started and live here); package network/backends picks one for a Mode.
package network

import (
	"fmt"
	"github.com/burrow/burrow/names"
	"github.com/burrow/burrow/netconf"
	"strings"

	"github.com/burrow/burrow/errdefs"
)

// Kinds of network a container can have.
const (
	None        = "none"        // its own namespace with loopback only
	Host        = "host"        // the holder's (the host's) network
	Container   = "container"   // another running container's namespace
	Pasta       = "pasta"       // its own namespace, connected by pasta
	Slirp4netns = "slirp4netns" // its own namespace, connected by slirp4netns
	Bridge      = "bridge"      // a user-defined network (Target names it)
)

// Mode is a parsed --network value. It is parsed once when a container is
// created; the record keeps String(), which parses back to the same Mode.
type Mode struct {
	Kind    string
	Target  string // Container: the container; Bridge: the networks' names, comma-separated
	Options string // Pasta, Slirp4netns: what follows the colon
}

// Parse reads a --network value: none, host, container:NAME,
// pasta[:OPTIONS], slirp4netns[:OPTIONS], or the name of a network.
func Parse(v string) (Mode, error) {
	kind, rest, hasRest := strings.Cut(v, ":")
	switch kind {
	case None, Host:
		if hasRest {
			return Mode{}, fmt.Errorf("%w: --network %s takes no options", errdefs.ErrInvalidArgument, v)
		}
		return Mode{Kind: kind}, nil
	case Container:
		if rest == "" {
			return Mode{}, fmt.Errorf("%w: --network container: needs a container's name or ID", errdefs.ErrInvalidArgument)
		}
		return Mode{Kind: Container, Target: rest}, nil
	case Pasta, Slirp4netns:
		return Mode{Kind: kind, Options: rest}, nil
	}
	for _, name := range strings.Split(v, ",") {
		if hasRest || !names.Valid(name) || modes[name] {
			return Mode{}, fmt.Errorf("%w: --network %q (want none, host, container:NAME, pasta, slirp4netns, or the names of networks: NAME[,NAME...])", errdefs.ErrInvalidArgument, v)
		}
	}
	return Mode{Kind: Bridge, Target: v}, nil
}

// modes are the words that name a mode, not a network.
var modes = map[string]bool{None: true, Host: true, Container: true, Pasta: true, Slirp4netns: true}

// Networks are the user-defined networks of a Bridge mode, in order (the
// first one has --ip and the default route).
func (m Mode) Networks() []string {
	if m.Kind != Bridge {
		return nil
	}
	return strings.Split(m.Target, ",")
}

// MustParse is Parse for values burrow wrote itself (a container's record).
func MustParse(v string) Mode {
	m, err := Parse(v)
	if err != nil {
		return Mode{Kind: None}
	}
	return m
}

func (m Mode) String() string {
	switch m.Kind {
	case Container:
		return Container + ":" + m.Target
	case Bridge:
		return m.Target
	case Pasta, Slirp4netns:
		if m.Options != "" {
			return m.Kind + ":" + m.Options
		}
	}
	return m.Kind
}

// OwnNamespace reports whether the container gets a network namespace of
// its own (host and container:NAME share one).
func (m Mode) OwnNamespace() bool { return m.Kind != Host && m.Kind != Container }

// Request is one container to connect.
type Request struct {
	ID       string
	Name     string
	Pid      int // the container's init: its /proc/PID/ns/net is the namespace
	Ports    []Port
	StateDir string // the backend's files for this container (StateDir below)
	Aliases  []string
	RunRoot  string           // bridge: the rootless netns's files are under it
	Networks []netconf.Attach // bridge: the networks, resolved at create
}

// Backend connects containers of one kind of network. Every backend runs
// the conformance test in tests/network_test.go.
type Backend interface {
	// Check refuses, before anything is created, what cannot work: a
	// missing helper program, a host port that is taken, ports on a mode
	// that has nothing to publish from.
	Check(m Mode, ports []Port) error
	// Connect starts what the container's network needs once its init
	// exists (and before its command runs).
	Connect(m Mode, r Request) (Attachment, error)
	// HostGateway is the address at which the container reaches the host
	// (host.containers.internal, --add-host NAME:host-gateway); "" if none.
	HostGateway(m Mode) string
	// ResolvConf is the container's resolv.conf before --dns and its
	// kin, given the host's.
	ResolvConf(m Mode, host string) string
}

// Attachment is one connected container.
type Attachment interface {
	// Ready waits until the container's network is usable (addresses,
	// routes, published ports). Stop is called afterwards, also when
	// Ready fails.
	Ready() error
	// Stop releases what Connect started; nothing of it is left after.
	Stop() error
}

// Nothing is the attachment of a mode that starts nothing.
type Nothing struct{}

func (Nothing) Ready() error { return nil }
func (Nothing) Stop() error  { return nil }

// Static is the backend of none, host and container:NAME: the namespace
// is all there is (the container's spec makes, shares or joins it).
type Static struct{}

func (Static) Check(m Mode, ports []Port) error {
	if len(ports) == 0 {
		return nil
	}
	if m.Kind == Container {
		return fmt.Errorf("%w: -p with --network %s: publish on the container whose network this is", errdefs.ErrInvalidArgument, m)
	}
	return fmt.Errorf("%w: -p needs --network pasta, slirp4netns or a network's name (with %s the container has no network of its own to publish from)", errdefs.ErrInvalidArgument, m)
}

func (Static) Connect(Mode, Request) (Attachment, error) { return Nothing{}, nil }

func (Static) HostGateway(m Mode) string {
	if m.Kind == Host {
		return "127.0.0.1"
	}
	return ""
}

func (Static) ResolvConf(_ Mode, host string) string { return host }
