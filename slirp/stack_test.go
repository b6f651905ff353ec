package slirp

import (
	"errors"
	"os"
	"testing"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/network"
)

func TestParseNetworkOptions(t *testing.T) {
	o, err := ParseNetwork(network.MustParse("slirp4netns:mtu=1500,allow_host_loopback=true,enable_ipv6=false"))
	if err != nil {
		t.Fatal(err)
	}
	if o.MTU != 1500 || !o.AllowHostLoopback || o.IPv6 {
		t.Errorf("options not applied: %+v", o)
	}
	// IPv6 is on by default exactly when the kernel has it; the test looks
	// for itself rather than asking hostHasIPv6, the code under test.
	_, noV6 := os.Stat("/proc/sys/net/ipv6")
	if o, _ := ParseNetwork(network.Mode{Kind: Slirp4netns}); o.IPv6 != (noV6 == nil) || o.MTU != 65520 || o.AllowHostLoopback {
		t.Errorf("defaults: %+v; want IPv6=%v (kernel IPv6: %v), MTU 65520, no host loopback", o, noV6 == nil, noV6)
	}
	for _, bad := range []network.Mode{{Kind: "slirp"}, {Kind: Slirp4netns, Options: "mtu=100"}, {Kind: Slirp4netns, Options: "enable_ipv6=maybe"}, {Kind: Pasta, Options: "foo=1"}} {
		if _, err := ParseNetwork(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q accepted (err %v)", bad, err)
		}
	}
}

func TestForwarderPorts(t *testing.T) {
	tcp := network.Port{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}
	udp := network.Port{HostPort: 5353, ContainerPort: 53, Proto: "udp"}
	ports := []network.Port{tcp, udp}
	if got := forwarderPorts(Opt{Mode: Slirp4netns, Ports: ports}); len(got) != 2 {
		t.Errorf("slirp4netns: the forwarder publishes %v, want both", got)
	}
	if got := forwarderPorts(Opt{Mode: Pasta, Ports: ports}); len(got) != 1 || got[0] != udp {
		t.Errorf("pasta: the forwarder publishes %v, want only UDP", got)
	}
}

func TestDefaultRoute6(t *testing.T) {
	const lo = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
	const viaTap = "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000002 00000400 00000001 00000000 00450003     tap0\n"
	const prefix = "fd000000000000000000000000000000 40 00000000000000000000000000000000 00 00000000000000000000000000000000 00000100 00000001 00000000 004c0001     tap0\n"
	if defaultRoute6In(lo + prefix) {
		t.Error("the kernel's unreachable route on lo counted as a default route")
	}
	if !defaultRoute6In(prefix + viaTap + lo) {
		t.Error("the route through tap0 was missed")
	}
}
