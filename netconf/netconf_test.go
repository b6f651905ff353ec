package netconf

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

func cidr(s string) *net.IPNet { _, n, _ := net.ParseCIDR(s); return n }

func TestCreateValidates(t *testing.T) {
	s := Store{Dir: t.TempDir(), HostRoutes: func() []*net.IPNet { return []*net.IPNet{cidr("10.89.0.0/24"), cidr("0.0.0.0/0")} }}
	if _, err := s.Create(CreateOpt{Name: "taken", Subnet: "10.89.5.0/24"}); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		o    CreateOpt
		want string
	}{
		{CreateOpt{Name: "a", Subnet: "10.89.5.128/25"}, "overlaps network taken"},
		{CreateOpt{Name: "a", Subnet: "10.89.300.0/24"}, "not a CIDR"},
		{CreateOpt{Name: "a", Subnet: "10.89.6.5/24"}, "host bits"},
		{CreateOpt{Name: "a", Subnet: "fd00::/64"}, "only IPv4"},
		{CreateOpt{Name: "a", Subnet: "10.89.6.0/31"}, "too small"},
		{CreateOpt{Name: "a", Subnet: "10.89.6.0/24", Gateway: "10.89.7.1"}, "not a host address"},
		{CreateOpt{Name: "a", Subnet: "10.89.6.0/24", Gateway: "10.89.6.255"}, "not a host address"},
		{CreateOpt{Name: "a", Subnet: "10.89.6.0/24", IPRange: "10.89.7.0/25"}, "not inside"},
		{CreateOpt{Name: "a", Subnet: "10.89.6.0/24", IPRange: "10.89.6.0/23"}, "not inside"},
		{CreateOpt{Name: "a", Gateway: "10.89.6.1"}, "need --subnet"},
		{CreateOpt{Name: "taken"}, "exists"},
		{CreateOpt{Name: "host"}, "network name"},
		{CreateOpt{Name: "bad/name"}, "network name"},
		{CreateOpt{Name: "a", Driver: "macvlan"}, "driver"},
	}
	for _, c := range bad {
		_, err := s.Create(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
		if err != nil && !errors.Is(err, errdefs.ErrInvalidArgument) && !errors.Is(err, errdefs.ErrNameInUse) {
			t.Errorf("%+v: %v is not invalid argument", c.o, err)
		}
	}
	entries, _ := os.ReadDir(s.Dir)
	for _, en := range entries {
		if en.Name() != "taken.json" && en.Name() != ".lock" {
			t.Errorf("refused input left %s", en.Name())
		}
	}
	// The first free default subnet skips the host's routes and other networks.
	n, err := s.Create(CreateOpt{Name: "auto"})
	if err != nil || n.Subnet != "10.89.1.0/24" || n.Gateway != "10.89.1.1" {
		t.Errorf("auto: %+v %v", n, err)
	}
	d, err := s.Get(DefaultName)
	if err != nil || d.Subnet != "10.88.0.0/16" {
		t.Errorf("default network: %+v %v", d, err)
	}
	if got, err := s.Get(n.ID[:6]); err != nil || got.Name != "auto" {
		t.Errorf("by ID prefix: %+v %v", got, err)
	}
	if _, err := s.Get("nosuch"); !errors.Is(err, ErrNetworkUnknown) {
		t.Errorf("unknown: %v", err)
	}
	if err := s.Remove("auto"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(s.Dir, "auto.json")); err == nil {
		t.Error("removed network's file is left")
	}
}

func TestAllocate(t *testing.T) {
	n := Network{Name: "n", Subnet: "10.89.1.0/29", Gateway: "10.89.1.1"}
	used := map[string]bool{}
	var got []string
	for {
		ip, err := Allocate(n, used, "")
		if err != nil {
			if !errors.Is(err, ErrSubnetFull) {
				t.Fatal(err)
			}
			break
		}
		used[ip.String()] = true
		got = append(got, ip.String())
	}
	if strings.Join(got, " ") != "10.89.1.2 10.89.1.3 10.89.1.4 10.89.1.5 10.89.1.6" {
		t.Errorf("a /29 handed out %v", got)
	}
	for want, msg := range map[string]string{"10.89.1.1": "gateway", "10.89.1.7": "not a host address", "10.89.2.3": "not a host address", "10.89.1.3": "in use", "x": "not a host address"} {
		if _, err := Allocate(n, used, want); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("--ip %s: %v, want %q", want, err, msg)
		}
	}
	r := Network{Name: "r", Subnet: "10.89.1.0/24", Gateway: "10.89.1.1", IPRange: "10.89.1.128/25"}
	if ip, err := Allocate(r, map[string]bool{"10.89.1.128": true}, ""); err != nil || ip.String() != "10.89.1.129" {
		t.Errorf("range: %v %v", ip, err)
	}
	if ip, err := Allocate(r, nil, "10.89.1.20"); err != nil || ip.String() != "10.89.1.20" {
		t.Errorf("--ip outside the range but in the subnet: %v %v", ip, err)
	}
}

func TestHostRoutes(t *testing.T) {
	table := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" +
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	f := filepath.Join(t.TempDir(), "route")
	if err := os.WriteFile(f, []byte(table), 0o600); err != nil {
		t.Fatal(err)
	}
	got := HostRoutes(f)
	if len(got) != 2 || got[1].String() != "192.0.2.0/24" || got[0].String() != "0.0.0.0/0" {
		t.Errorf("HostRoutes: %v", got)
	}
}

func TestResolve(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	if _, err := s.Create(CreateOpt{Name: "app", Subnet: "10.89.9.0/24"}); err != nil {
		t.Fatal(err)
	}
	if a, err := s.Resolve(AttachOpt{Networks: []string{"app"}, IP: "10.89.9.9", Aliases: []string{"db"}}); err != nil || len(a) != 1 || a[0].IP != "10.89.9.9" {
		t.Errorf("resolve: %+v %v", a, err)
	}
	for _, o := range []AttachOpt{
		{Networks: []string{"nosuch"}},
		{Networks: []string{"app"}, IP: "10.89.10.9"},
		{Networks: []string{"app"}, Aliases: []string{"bad alias"}},
		{Networks: []string{"app", "app"}},
	} {
		if _, err := s.Resolve(o); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%+v: %v", o, err)
		}
	}
}

func FuzzCreateSubnet(f *testing.F) {
	for _, s := range []string{"10.89.1.0/24", "10.0.0.0/8", "bad", "1.2.3.4/33", "10.89.1.0/30"} {
		f.Add(s, "", "")
	}
	f.Fuzz(func(t *testing.T, subnet, gw, rng string) {
		n, err := plan(CreateOpt{Name: "f", Subnet: subnet, Gateway: gw, IPRange: rng}, nil, nil)
		if err != nil {
			return
		}
		sub := n.IPNet()
		if sub == nil || !usable(sub, net.ParseIP(n.Gateway)) {
			t.Fatalf("%q %q %q: planned %+v", subnet, gw, rng, n)
		}
		if _, err := Allocate(n, nil, ""); err != nil && !errors.Is(err, ErrSubnetFull) {
			t.Fatalf("%+v: %v", n, err)
		}
	})
}

func TestParseMAC(t *testing.T) {
	for _, ok := range []string{"02:42:0a:59:01:32", "92:10:00:00:00:01", "AA:bb:cc:dd:ee:ff"} {
		if _, err := ParseMAC(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "02:42:0a:59:01", "01:00:5e:00:00:01", "ff:ff:ff:ff:ff:ff", "00:00:00:00:00:00", "zz:42:0a:59:01:32", "02:42:0a:59:01:32:00:11"} {
		if _, err := ParseMAC(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want invalid", bad, err)
		}
	}
}

func TestIPv6(t *testing.T) {
	s := Store{Dir: t.TempDir()}
	n, err := s.Create(CreateOpt{Name: "v6", Subnet: "10.89.8.0/24", Subnet6: "fd42:89:8::/64"})
	if err != nil {
		t.Fatal(err)
	}
	if n.Subnet6 != "fd42:89:8::/64" || n.Gateway6 != "fd42:89:8::1" {
		t.Errorf("subnet6 %s gateway6 %s", n.Subnet6, n.Gateway6)
	}
	if got := Mirror6(n, net.ParseIP("10.89.8.37")).String(); got != "fd42:89:8::25" {
		t.Errorf("Mirror6(10.89.8.37) = %s", got)
	}
	auto, err := s.Create(CreateOpt{Name: "auto", IPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	if sub := auto.IPNet6(); sub == nil || sub.IP[0] != 0xfd || auto.Subnet6[len(auto.Subnet6)-3:] != "/64" || !sub.Contains(net.ParseIP(auto.Gateway6)) {
		t.Errorf("--ipv6 without a subnet: %s gateway %s", auto.Subnet6, auto.Gateway6)
	}
	if Mirror6(Network{Subnet: "10.89.9.0/24"}, net.ParseIP("10.89.9.2")) != nil {
		t.Error("Mirror6 of an IPv4-only network")
	}
	for _, c := range []struct {
		o    CreateOpt
		want string
	}{
		{CreateOpt{Name: "a", Subnet: "10.89.10.0/24", Subnet6: "fd42:89:8:0:1::/80"}, "overlaps network v6"},
		{CreateOpt{Name: "a", Subnet: "10.89.10.0/24", Subnet6: "fd42::1/64"}, "host bits"},
		{CreateOpt{Name: "a", Subnet: "10.89.10.0/24", Subnet6: "10.0.0.0/8"}, "not an IPv6 CIDR"},
		{CreateOpt{Name: "a", Subnet: "10.89.10.0/24", Subnet6: "fd43::/124"}, "smaller than"},
	} {
		if _, err := s.Create(c.o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.o, err, c.want)
		}
	}
}
