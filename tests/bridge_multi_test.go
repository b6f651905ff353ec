package tests

import (
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestBridgeSeveralNetworks: --network a,b puts a container on both at
// once (an interface each, names of both resolve, the first has --ip);
// a mode word in the list is refused.
func TestBridgeSeveralNetworks(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.61.0/24", "front")
	e.ok("network", "create", "--subnet", "10.89.62.0/24", "back")
	e.ok("run", "-d", "--name", "web", "--network", "front", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "db", "--network", "back", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "app", "--network", "front,back", "--ip", "10.89.61.40", busyboxImage, "sleep", "1000")
	out := e.ok("exec", "app", "ip", "-o", "-4", "addr")
	if !strings.Contains(out, "eth0    inet 10.89.61.40/24") || !strings.Contains(out, "eth1    inet 10.89.62.") {
		t.Errorf("--network front,back --ip 10.89.61.40: addresses\n%s", out)
	}
	for _, name := range []string{"web", "db"} {
		if r := e.wgetIn("app", "http://"+name+"/"); !strings.HasPrefix(r.stdout, "served-by-") {
			t.Errorf("app on front,back -> %s: %s", name, r)
		}
	}
	if r := e.burrow("exec", "web", "busybox", "timeout", "3", "wget", "-q", "-O", "-", "http://db/"); r.code == 0 {
		t.Errorf("web (front only) reached db (back only): %s", r)
	}
	if out := e.ok("network", "inspect", "--format", "{{len .Containers}}", "back"); strings.TrimSpace(out) != "2" {
		t.Errorf("network inspect back: %q containers, want 2 (db, app)", out)
	}
	for _, bad := range []string{"front,none", "front,front", "front,nosuchnet", "front,"} {
		if r := e.burrow("run", "--rm", "--network", bad, busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "network") {
			t.Errorf("--network %s: %s", bad, r)
		}
	}
	e.ok("rm", "-f", "web", "db", "app")
}

// TestBridgeMacAddress: --mac-address is eth0's address on the first
// network (and inspect's); another container may not take it; a
// multicast or malformed one, or one without a user-defined network, is
// refused by name.
func TestBridgeMacAddress(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.63.0/24", "macnet")
	const mac = "92:10:aa:bb:cc:01"
	e.ok("run", "-d", "--name", "m1", "--network", "macnet", "--mac-address", mac, busyboxImage, "sh", "-c", httpdScript)
	if out := e.ok("exec", "m1", "cat", "/sys/class/net/eth0/address"); out != mac+"\n" {
		t.Errorf("--mac-address %s: eth0 has %q", mac, out)
	}
	if out := e.ok("inspect", "--format", "{{.NetworkSettings.MacAddress}}", "m1"); out != mac+"\n" {
		t.Errorf("inspect MacAddress: %q", out)
	}
	e.ok("run", "-d", "--name", "m2", "--network", "macnet", busyboxImage, "sleep", "1000")
	if out := e.ok("exec", "m2", "cat", "/sys/class/net/eth0/address"); out == mac+"\n" || !strings.HasPrefix(out, "02:42:") {
		t.Errorf("without --mac-address: %q, want one derived from the address", out)
	}
	if r := e.wgetIn("m2", "http://m1/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("m1 with its own MAC is not reachable: %s", r)
	}
	if r := e.burrow("run", "--rm", "--network", "macnet", "--mac-address", mac, busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, mac) {
		t.Errorf("a second container with %s: %s", mac, r)
	}
	for _, c := range []struct{ network, mac string }{{"macnet", "01:00:5e:00:00:01"}, {"macnet", "not-a-mac"}, {"none", "92:10:aa:bb:cc:02"}} {
		r := e.burrow("create", "--network", c.network, "--mac-address", c.mac, busyboxImage, "true")
		if r.code != 125 || !strings.Contains(r.stderr, "--mac-address") {
			t.Errorf("--network %s --mac-address %s: %s", c.network, c.mac, r)
		}
	}
	e.ok("rm", "-f", "m1", "m2")
	if out := e.ok("ps", "-aq"); out != "" {
		t.Errorf("refused input left containers: %q", out)
	}
}

// TestBridgeConnectSurvivesRestart: a container with --restart always
// that was connected to one network and disconnected from another comes
// back from its monitor's restart on the networks it had then.
func TestBridgeConnectSurvivesRestart(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.64.0/24", "first")
	e.ok("network", "create", "--subnet", "10.89.65.0/24", "second")
	e.ok("run", "-d", "--name", "c", "--restart", "always", "--network", "first", busyboxImage, "sleep", "1000")
	e.ok("network", "connect", "second", "c")
	e.ok("network", "disconnect", "first", "c")
	var pid int
	fmt.Sscan(e.ok("inspect", "--format", "{{.State.Pid}}", "c"), &pid)
	if pid <= 0 {
		t.Fatal("no pid for c")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var out string
	if !waitFor(20*time.Second, func() bool {
		out = e.ok("inspect", "--format", "{{.State.Status}} {{.RestartCount}}", "c")
		return strings.HasPrefix(out, "running ") && out != "running 0\n"
	}) {
		t.Fatalf("c was not restarted: %q", out)
	}
	out = e.ok("exec", "c", "ip", "-o", "-4", "addr")
	if !strings.Contains(out, "inet 10.89.65.") || strings.Contains(out, "inet 10.89.64.") {
		t.Errorf("after its restart c is not on second alone:\n%s", out)
	}
	e.ok("rm", "-f", "c")
}

// TestBridgeIPv6: a dual-stack network gives each container an IPv6
// address next to its IPv4 one (mirroring it), the bridge routes between
// them, the responder answers AAAA, inspect shows it; another IPv6
// network is not reachable; bad IPv6 subnets are refused by name.
func TestBridgeIPv6(t *testing.T) {
	e := bridgeEnv(t)
	if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
		t.Skip("the kernel has no IPv6")
	}
	e.ok("network", "create", "--subnet", "10.89.66.0/24", "--subnet", "fd42:89:66::/64", "six")
	e.ok("network", "create", "--ipv6", "--subnet", "10.89.67.0/24", "other6")
	e.ok("run", "-d", "--name", "web", "--network", "six", "--ip", "10.89.66.20", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "app", "--network", "six", busyboxImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "far", "--network", "other6", busyboxImage, "sleep", "1000")
	if out := e.ok("exec", "web", "ip", "-o", "-6", "addr", "show", "scope", "global"); !strings.Contains(out, "inet6 fd42:89:66::14/64") {
		t.Errorf("web on six (10.89.66.20): IPv6 addresses\n%s", out)
	}
	if out := e.ok("inspect", "--format", "{{.NetworkSettings.GlobalIPv6Address}}", "web"); out != "fd42:89:66::14\n" {
		t.Errorf("inspect GlobalIPv6Address: %q", out)
	}
	if r := e.wgetIn("app", "http://[fd42:89:66::14]/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("app -> web over IPv6: %s", r)
	}
	if out := e.ok("exec", "app", "busybox", "nslookup", "-type=AAAA", "web", "10.89.66.1"); !strings.Contains(out, "fd42:89:66::14") {
		t.Errorf("AAAA of web:\n%s", out)
	}
	if out := e.ok("exec", "app", "ip", "-6", "route"); !strings.Contains(out, "default via fd42:89:66::1") {
		t.Errorf("no IPv6 default route through the gateway:\n%s", out)
	}
	far := e.ok("exec", "far", "ip", "-o", "-6", "addr", "show", "scope", "global")
	if !strings.Contains(far, "inet6 fd") || !strings.Contains(far, "/64") {
		t.Errorf("far on other6 (--ipv6, no IPv6 subnet given): %s", far)
	}
	if r := e.burrow("exec", "far", "busybox", "timeout", "3", "wget", "-q", "-O", "-", "http://[fd42:89:66::14]/"); r.code == 0 {
		t.Errorf("far on other6 reached web on six over IPv6: %s", r)
	}
	if out := e.ok("network", "inspect", "--format", "{{.IPv6Enabled}} {{len .Subnets}}", "six"); out != "true 2\n" {
		t.Errorf("network inspect six: %q", out)
	}
	for _, c := range []struct {
		want string
		args []string
	}{
		{"host bits", []string{"--subnet", "fd42:89:68::1/64"}},
		{"overlaps network six", []string{"--subnet", "10.89.68.0/24", "--subnet", "fd42:89:66::/48"}},
		{"one IPv4 and one IPv6", []string{"--subnet", "fd42:1::/64", "--subnet", "fd42:2::/64"}},
		{"smaller than", []string{"--subnet", "10.89.69.0/24", "--subnet", "fd42:89:69::/124"}},
	} {
		r := e.burrow(append(append([]string{"network", "create"}, c.args...), "bad6")...)
		if r.code != 125 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("network create %v: %s", c.args, r)
		}
	}
	if r := e.burrow("network", "exists", "bad6"); r.code == 0 {
		t.Error("a refused network was stored")
	}
	e.ok("rm", "-f", "web", "app", "far")
}
