package lifecycle

import (
	"strings"
	"testing"

	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/network/backends"
)

func mode(v string) network.Mode {
	m, err := network.Parse(v)
	if err != nil {
		panic(err)
	}
	return m
}

func TestEtcContents(t *testing.T) {
	hostResolv := []byte("nameserver 192.168.1.1\nsearch lan\noptions edns0\n")
	cases := []struct {
		name       string
		opt        etcOpt
		hostsHas   []string
		resolvWant string
		wantErr    bool
	}{
		{name: "none", opt: etcOpt{Hostname: "box", Network: mode("none")},
			hostsHas: []string{"127.0.0.1\tbox"}, resolvWant: string(hostResolv)},
		{name: "slirp", opt: etcOpt{Hostname: "box", Network: mode("slirp4netns:mtu=1500"), AddHosts: []string{"db:10.1.2.3", "gw:host-gateway"}},
			hostsHas:   []string{"10.0.2.2\thost.containers.internal", "10.1.2.3\tdb", "10.0.2.2\tgw"},
			resolvWant: "nameserver 10.0.2.3\n"},
		{name: "pasta keeps a real nameserver", opt: etcOpt{Hostname: "box", Name: "web", Network: mode("pasta")},
			hostsHas: []string{"127.0.0.1\tbox web"}, resolvWant: string(hostResolv)},
		{name: "dns flags", opt: etcOpt{Hostname: "box", Network: mode("none"), DNS: []string{"1.1.1.1"}, DNSSearch: []string{"x"}, DNSOptions: []string{"ndots:2"}},
			resolvWant: "nameserver 1.1.1.1\nsearch x\noptions ndots:2\n"},
		{name: "host-gateway without a way out", opt: etcOpt{Network: mode("none"), AddHosts: []string{"gw:host-gateway"}}, wantErr: true},
		{name: "bad add-host", opt: etcOpt{Network: mode("none"), AddHosts: []string{"nocolon"}}, wantErr: true},
	}
	for _, c := range cases {
		c.opt.HostResolv = hostResolv
		c.opt.Backend, _ = backends.For(c.opt.Network)
		hosts, resolv, err := etcContents(c.opt)
		if (err != nil) != c.wantErr {
			t.Errorf("%s: err %v", c.name, err)
			continue
		}
		for _, h := range c.hostsHas {
			if !strings.Contains(hosts, h) {
				t.Errorf("%s: hosts lacks %q:\n%s", c.name, h, hosts)
			}
		}
		if c.resolvWant != "" && resolv != c.resolvWant {
			t.Errorf("%s: resolv.conf %q, want %q", c.name, resolv, c.resolvWant)
		}
	}
}

func TestLinkEnv(t *testing.T) {
	got := strings.Join(linkEnv("my-db", "app", "10.89.1.2", []string{"5432/tcp", "5433/udp"}), " ")
	want := "MY_DB_NAME=/app/my-db MY_DB_PORT=tcp://10.89.1.2:5432 MY_DB_PORT_5432_TCP=tcp://10.89.1.2:5432 MY_DB_PORT_5432_TCP_ADDR=10.89.1.2 MY_DB_PORT_5432_TCP_PORT=5432 MY_DB_PORT_5432_TCP_PROTO=tcp MY_DB_PORT_5433_UDP=udp://10.89.1.2:5433 MY_DB_PORT_5433_UDP_ADDR=10.89.1.2 MY_DB_PORT_5433_UDP_PORT=5433 MY_DB_PORT_5433_UDP_PROTO=udp"
	if got != want {
		t.Errorf("linkEnv:\n%s\nwant\n%s", got, want)
	}
}

func TestSwapNameservers(t *testing.T) {
	for _, c := range []struct {
		name, in string
		old, new []string
		want     string
		changed  bool
	}{
		{"connect", "nameserver 10.89.0.1\nsearch example.org\noptions ndots:2\n", []string{"10.89.0.1"}, []string{"10.89.0.1", "10.89.1.1"},
			"nameserver 10.89.0.1\nnameserver 10.89.1.1\nsearch example.org\noptions ndots:2\n", true},
		{"disconnect", "nameserver 10.89.0.1\nnameserver 10.89.1.1\nsearch x\n", []string{"10.89.0.1", "10.89.1.1"}, []string{"10.89.1.1"},
			"nameserver 10.89.1.1\nsearch x\n", true},
		{"--dns kept", "nameserver 9.9.9.9\n", []string{"10.89.0.1"}, []string{"10.89.0.1", "10.89.1.1"}, "nameserver 9.9.9.9\n", false},
		{"other servers kept in place", "nameserver 9.9.9.9\nnameserver 10.89.0.1\n", []string{"10.89.0.1"}, []string{"10.89.2.1"},
			"nameserver 9.9.9.9\nnameserver 10.89.2.1\n", true},
		{"no network left", "nameserver 10.89.0.1\n", []string{"10.89.0.1"}, nil, "nameserver 10.89.0.1\n", false},
	} {
		got, changed := swapNameservers(c.in, c.old, c.new)
		if got != c.want || changed != c.changed {
			t.Errorf("%s: got %q, %v; want %q, %v", c.name, got, changed, c.want, c.changed)
		}
	}
}
