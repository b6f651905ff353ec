package bridge

import (
	"net"
	"os"
	"strings"
	"testing"

	"github.com/burrow/burrow/netconf"
	"github.com/miekg/dns"
)

func TestLookupIsolatesNetworks(t *testing.T) {
	a := netconf.Network{ID: "aaaaaaaaaaaaaaaa", Name: "a"}
	b := netconf.Network{ID: "bbbbbbbbbbbbbbbb", Name: "b"}
	inner := netconf.Network{ID: "cccccccccccccccc", Name: "inner", Internal: true}
	eps := []Endpoint{
		{Container: "c1aaaaaaaaaaaaaa", Name: "web", Aliases: []string{"www"}, Network: a, IP: "10.89.1.2"},
		{Container: "c2bbbbbbbbbbbbbb", Name: "db", Network: b, IP: "10.89.2.2"},
		{Container: "c3cccccccccccccc", Name: "both", Network: a, IP: "10.89.1.3"},
		{Container: "c3cccccccccccccc", Name: "both", Network: b, IP: "10.89.2.3"},
		{Container: "c4dddddddddddddd", Name: "hidden", Network: inner, IP: "10.89.3.2"},
	}
	cases := []struct {
		src, name string
		want      string
	}{
		{"10.89.1.3", "web", "10.89.1.2"},
		{"10.89.1.3", "WWW", "10.89.1.2"},
		{"10.89.2.3", "web", "10.89.1.2"}, // a container on two networks resolves both
		{"10.89.2.2", "web", ""},          // but db, only on b, does not see a
		{"10.89.2.2", "both", "10.89.2.3"},
		{"10.89.1.2", "c2bbbbbbbbbb", ""},
		{"10.89.2.3", "c2bbbbbbbbbb", "10.89.2.2"},
		{"10.89.9.9", "web", ""}, // not a container
	}
	for _, c := range cases {
		nets, _ := networksOf(eps, c.src)
		var got []string
		for _, ip := range lookup(eps, nets, strings.ToLower(c.name)) {
			got = append(got, ip.String())
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%s asks %s: %v, want %q", c.src, c.name, got, c.want)
		}
	}
	if _, internal := networksOf(eps, "10.89.3.2"); !internal {
		t.Error("a container only on an internal network must not get forwarding")
	}
	if _, internal := networksOf(eps, "10.89.1.3"); internal {
		t.Error("a container on normal networks is internal")
	}
}

func TestAnswer(t *testing.T) {
	q := new(dns.Msg)
	q.SetQuestion("web.", dns.TypeA)
	m := answer(q, []net.IP{net.ParseIP("10.89.1.2")})
	if len(m.Answer) != 1 || m.Answer[0].(*dns.A).A.String() != "10.89.1.2" || !m.Authoritative {
		t.Errorf("A answer: %v", m)
	}
	q.SetQuestion("web.", dns.TypeAAAA)
	if m := answer(q, []net.IP{net.ParseIP("10.89.1.2")}); len(m.Answer) != 0 || m.Rcode != dns.RcodeSuccess {
		t.Errorf("AAAA of a known name: %v", m)
	}
}

func TestUpstreams(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := dir + "/resolv.conf"
		if err := writeFile(p, s); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if got := upstreams(write("nameserver 127.0.0.53\n")); len(got) != 1 || got[0] != "169.254.1.1:53" {
		t.Errorf("loopback only: %v", got)
	}
	if got := upstreams(write("nameserver 127.0.0.53\nnameserver 192.0.2.53\n")); len(got) != 1 || got[0] != "192.0.2.53:53" {
		t.Errorf("mixed: %v", got)
	}
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o600) }

func TestAnswerIPv6(t *testing.T) {
	n := netconf.Network{ID: "aaaaaaaaaaaaaaaa", Name: "a", Subnet6: "fd42::/64"}
	eps := []Endpoint{
		{Container: "c1aaaaaaaaaaaaaa", Name: "web", Network: n, IP: "10.89.1.2", IP6: "fd42::2"},
		{Container: "c2aaaaaaaaaaaaaa", Name: "app", Network: n, IP: "10.89.1.3", IP6: "fd42::3"},
	}
	for _, src := range []string{"10.89.1.3", "fd42::3"} {
		nets, _ := networksOf(eps, src)
		ips := lookup(eps, nets, "web")
		for qtype, want := range map[uint16]string{dns.TypeA: "10.89.1.2", dns.TypeAAAA: "fd42::2"} {
			q := new(dns.Msg)
			q.SetQuestion("web.", qtype)
			m := answer(q, ips)
			if len(m.Answer) != 1 || !strings.Contains(m.Answer[0].String(), want) {
				t.Errorf("%s asks %s web: %v, want %s", src, dns.TypeToString[qtype], m.Answer, want)
			}
		}
	}
}
