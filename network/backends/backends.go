// Package backends picks the network.Backend of a Mode: the one place that
// knows every backend, so that create, run, the monitor and the checks
// before create ask the same one.
package backends

import (
	"fmt"
	"github.com/burrow/burrow/bridge"
	"os"
	"os/exec"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/hostbin"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/slirp"
)

// For is the backend of m.
func For(m network.Mode) (network.Backend, error) {
	switch m.Kind {
	case network.None, network.Host, network.Container:
		return network.Static{}, nil
	case network.Pasta, network.Slirp4netns:
		return slirp.Backend{}, nil
	case network.Bridge:
		return bridge.Backend{}, nil
	}
	return nil, fmt.Errorf("%w: --network %s: no such network (want none, host, container:NAME, pasta or slirp4netns)", errdefs.ErrInvalidArgument, m)
}

// Default is the mode a container gets when --network is not given: pasta
// where it is installed, else slirp4netns, as docker's default bridge
// gives a network. With neither usable it is none, and why says what is
// missing and how to install it.
func Default() (m network.Mode, why string) {
	kind := ""
	for _, k := range []string{network.Pasta, network.Slirp4netns} {
		if _, err := exec.LookPath(k); err == nil {
			kind = k
			break
		}
	}
	if kind == "" {
		return network.Mode{Kind: network.None}, fmt.Sprintf("no user-mode network helper is installed (%s, or %s)", hostbin.Install(network.Pasta), hostbin.Package(network.Slirp4netns))
	}
	tun, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return network.Mode{Kind: network.None}, fmt.Sprintf("%s cannot open /dev/net/tun (%v); a distribution's udev rules make it mode 0666: sudo chmod 0666 /dev/net/tun", kind, err)
	}
	tun.Close()
	return network.Mode{Kind: kind}, ""
}
