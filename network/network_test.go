package network

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

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

func TestWithoutLoopbackServers(t *testing.T) {
	cases := map[string]string{
		"nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n": "nameserver 169.254.1.1\noptions edns0 trust-ad\nsearch lan\n",
		"nameserver ::1\nnameserver 192.168.1.1\n":                    "nameserver 192.168.1.1\n",
		"# generated\nnameserver 10.0.0.2\n":                          "# generated\nnameserver 10.0.0.2\n",
		"":                                                            "nameserver 169.254.1.1\n",
	}
	for host, want := range cases {
		if got := WithoutLoopbackServers(host, "169.254.1.1"); got != want {
			t.Errorf("host %q: %q, want %q", host, got, want)
		}
	}
}

func TestParseMode(t *testing.T) {
	for _, v := range []string{"none", "host", "container:db", "pasta", "pasta:--mtu,1500", "slirp4netns:mtu=1500", "appnet", "bridge", "front,back"} {
		m, err := Parse(v)
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		if m.String() != v {
			t.Errorf("%q parses to %+v, which prints as %q", v, m, m.String())
		}
	}
	for _, bad := range []string{"", "none:x", "host:1", "container:", "-x", "a b", "net/x", "a,", ",a", "a,none", "a,host", "a,,b"} {
		if _, err := Parse(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q accepted (err %v)", bad, err)
		}
	}
	if m, _ := Parse("front,back"); len(m.Networks()) != 2 || m.Networks()[1] != "back" {
		t.Errorf("front,back: networks %q", m.Networks())
	}
	if (Mode{Kind: Host}).OwnNamespace() || (Mode{Kind: Container}).OwnNamespace() || !(Mode{Kind: Pasta}).OwnNamespace() {
		t.Error("OwnNamespace: host and container:NAME share a namespace; the others have their own")
	}
}
