package slirp

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

func TestParseNetworkOptions(t *testing.T) {
	o, err := ParseNetwork("slirp4netns:mtu=1500,allow_host_loopback=true,enable_ipv6=false")
	if err != nil {
		t.Fatal(err)
	}
	if o.MTU != 1500 || !o.AllowHostLoopback || o.IPv6 {
		t.Errorf("options not applied: %+v", o)
	}
	// IPv6 is on by default exactly when the kernel has it; the test looks
	// for itself rather than asking hostHasIPv6, the code under test.
	_, noV6 := os.Stat("/proc/sys/net/ipv6")
	if o, _ := ParseNetwork("slirp4netns"); o.IPv6 != (noV6 == nil) || o.MTU != 65520 || o.AllowHostLoopback {
		t.Errorf("defaults: %+v; want IPv6=%v (kernel IPv6: %v), MTU 65520, no host loopback", o, noV6 == nil, noV6)
	}
	for _, bad := range []string{"slirp", "slirp4netns:mtu=100", "slirp4netns:enable_ipv6=maybe", "pasta:foo=1"} {
		if _, err := ParseNetwork(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q accepted (err %v)", bad, err)
		}
	}
}

func TestForwarderPorts(t *testing.T) {
	tcp := Port{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}
	udp := Port{HostPort: 5353, ContainerPort: 53, Proto: "udp"}
	ports := []Port{tcp, udp}
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

func TestPortStringIPv6(t *testing.T) {
	if got := (Port{HostIP: "::1", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}).String(); got != "80/tcp -> [::1]:8080" {
		t.Errorf("got %q", got)
	}
}

func TestSumNetDev(t *testing.T) {
	const table = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    4200      42    0    0    0     0          0         0     4200      42    0    0    0     0       0          0
  tap0: 1048576     700    0    0    0     0          0         0     2048      30    0    0    0     0       0          0
`
	if rx, tx := sumNetDev(table); rx != 1048576 || tx != 2048 {
		t.Errorf("rx %d tx %d, want 1048576 and 2048 (loopback left out)", rx, tx)
	}
	if rx, tx := sumNetDev(""); rx != 0 || tx != 0 {
		t.Errorf("empty table: %d %d", rx, tx)
	}
}

func TestDefaultGateway(t *testing.T) {
	route := filepath.Join(t.TempDir(), "route")
	content := "Iface\tDestination\tGateway \tFlags\nwlan0\t0000A8C0\t00000000\t0001\nwlan0\t00000000\t0101A8C0\t0003\n"
	if err := os.WriteFile(route, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := DefaultGateway(route); got != "192.168.1.1" {
		t.Errorf("default gateway %q, want 192.168.1.1", got)
	}
}
