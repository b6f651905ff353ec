package tests

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// bridgeEnv is an environment with busybox and pasta (the rootless netns's uplink).
func bridgeEnv(t *testing.T) *env {
	t.Helper()
	requireHelper(t, "pasta")
	return detachedEnv(t)
}

// netnsHolder is the pid of the env's rootless netns holder, 0 if none runs.
func (e *env) netnsHolder() int {
	pids := processesWith("burrow-netns __netns " + filepath.Join(e.dir, "run", "burrow"))
	if len(pids) == 0 {
		return 0
	}
	return pids[0]
}

// wgetIn fetches url from inside a container, retrying for a few seconds
// (a server started with run -d may not listen yet).
func (e *env) wgetIn(ctr, url string) result {
	e.t.Helper()
	var r result
	for i := 0; i < 20; i++ {
		r = e.burrow("exec", ctr, "busybox", "timeout", "3", "wget", "-q", "-O", "-", url)
		if r.code == 0 {
			break
		}
		time.Sleep(250 * time.Millisecond)
	}
	return r
}

// TestBridgeNamesAndAliases: two containers on a user-defined network
// reach each other by name and by --network-alias; resolv.conf names the
// network's responder; the rootless netns goes with the last container.
func TestBridgeNamesAndAliases(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.77.0/24", "appnet")
	e.ok("run", "-d", "--name", "db", "--network", "appnet", "--network-alias", "database", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "app", "--network", "appnet", busyboxImage, "sleep", "1000")
	for _, name := range []string{"db", "database"} {
		if r := e.wgetIn("app", "http://"+name+"/"); r.code != 0 || !strings.HasPrefix(r.stdout, "served-by-") {
			t.Errorf("app -> %s: %s", name, r)
		}
	}
	if out := e.ok("exec", "app", "cat", "/etc/resolv.conf"); !strings.Contains(out, "nameserver 10.89.77.1") {
		t.Errorf("resolv.conf does not name the network's responder:\n%s", out)
	}
	// A name of no container on the network is not answered from it.
	if r := e.burrow("exec", "app", "nslookup", "no-such-container-here", "10.89.77.1"); r.code == 0 && strings.Contains(r.stdout, "10.89.77.") {
		t.Errorf("an unknown name resolved: %s", r)
	}
	// A foreground --rm container on the same network resolves the detached one.
	if out := e.ok("run", "--rm", "--network", "appnet", busyboxImage, "wget", "-q", "-O", "-", "http://database/"); !strings.HasPrefix(out, "served-by-") {
		t.Errorf("run --rm -> database: %q", out)
	}
	if e.netnsHolder() == 0 {
		t.Errorf("no rootless netns holder while containers use the network")
	}
	e.ok("rm", "-f", "db", "app")
	if !waitFor(5*time.Second, func() bool { return e.netnsHolder() == 0 }) {
		t.Errorf("the rootless netns holder outlived the last container")
	}
}

// TestBridgeIsolationAndInternal: containers on different networks cannot
// reach each other (by name or address); an --internal network reaches its
// peers and nothing outside, a normal one reaches a server on the host.
func TestBridgeIsolationAndInternal(t *testing.T) {
	e := bridgeEnv(t)
	const hostAddr = "198.51.100.1"
	if l, err := net.Listen("tcp", hostAddr+":0"); err != nil {
		t.Skipf("%s is not a local address (tests/setup adds it on a veth): %v", hostAddr, err)
	} else {
		l.Close()
	}
	host := strings.Replace(serveHTTP(t), "0.0.0.0", hostAddr, 1)
	e.ok("network", "create", "neta")
	e.ok("network", "create", "netb")
	e.ok("network", "create", "--internal", "inner")
	e.ok("run", "-d", "--name", "a", "--network", "neta", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "b", "--network", "netb", busyboxImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "i1", "--network", "inner", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "i2", "--network", "inner", busyboxImage, "sleep", "1000")
	aIP := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "a"))
	if net.ParseIP(aIP) == nil {
		t.Fatalf("inspect a: no address: %q", aIP)
	}
	if r := e.wgetIn("b", host); !strings.Contains(r.stdout, "host-says-hi") {
		t.Errorf("netb does not reach the host through the uplink: %s", r)
	}
	if r := e.burrow("exec", "b", "busybox", "timeout", "3", "wget", "-q", "-O", "-", "http://"+aIP+"/"); r.code == 0 {
		t.Errorf("netb reached a container on neta at %s: %s", aIP, r)
	}
	if r := e.burrow("exec", "b", "nslookup", "a"); strings.Contains(r.stdout, aIP) {
		t.Errorf("netb resolved a container of neta: %s", r)
	}
	if r := e.wgetIn("i2", "http://i1/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("internal network: peers do not reach each other: %s", r)
	}
	if r := e.burrow("exec", "i2", "busybox", "timeout", "3", "wget", "-q", "-O", "-", host); r.code == 0 {
		t.Errorf("an --internal network reached the host: %s", r)
	}
	if r := e.burrow("exec", "i2", "ip", "route"); strings.Contains(r.stdout, "default") {
		t.Errorf("an --internal network has a default route:\n%s", r.stdout)
	}
	if r := e.burrow("exec", "i2", "busybox", "timeout", "3", "wget", "-q", "-O", "-", "http://"+aIP+"/"); r.code == 0 {
		t.Errorf("an --internal network reached another network: %s", r)
	}
}

// TestBridgePublishAndIP: -p into a bridged container keeps the client's
// address; --ip is honoured, and refused while another container holds it.
func TestBridgePublishAndIP(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.78.0/24", "--ip-range", "10.89.78.128/25", "pubnet")
	port := freePort(t)
	cgi := `mkdir -p /www/cgi-bin; printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho $REMOTE_ADDR\n' > /www/cgi-bin/addr; chmod 755 /www/cgi-bin/addr; exec busybox httpd -f -p 80 -h /www`
	e.ok("run", "-d", "--name", "web", "--network", "pubnet", "--ip", "10.89.78.50", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sh", "-c", cgi)
	got, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/addr", port), 20*time.Second)
	// busybox httpd listens on IPv6 too: the client shows as ::ffff:127.0.0.1.
	if err != nil || !strings.HasSuffix(strings.Trim(strings.TrimSpace(got), "[]"), "127.0.0.1") {
		t.Errorf("published port: the server saw %q (%v), want 127.0.0.1", strings.TrimSpace(got), err)
	}
	if out := e.ok("exec", "web", "ip", "-o", "-4", "addr", "show", "eth0"); !strings.Contains(out, "inet 10.89.78.50/24") {
		t.Errorf("--ip 10.89.78.50: eth0 has\n%s", out)
	}
	// The next address comes from --ip-range.
	e.ok("run", "-d", "--name", "other", "--network", "pubnet", busyboxImage, "sleep", "1000")
	if ip := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "other")); ip != "10.89.78.128" {
		t.Errorf("first address of --ip-range 10.89.78.128/25: %q", ip)
	}
	r := e.burrow("run", "--rm", "--network", "pubnet", "--ip", "10.89.78.50", busyboxImage, "true")
	if r.code != 125 || !strings.Contains(r.stderr, "in use") {
		t.Errorf("--ip of a running container: %s", r)
	}
	e.ok("rm", "-f", "web")
	if !waitFor(5*time.Second, func() bool { return portFree(port) }) {
		t.Errorf("host port %d still taken after rm -f", port)
	}
}

// TestBridgeConnectDisconnect: a running container joins a second network
// (a second interface; both sets of names resolve) and leaves it.
func TestBridgeConnectDisconnect(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "front")
	e.ok("network", "create", "back")
	e.ok("run", "-d", "--name", "api", "--network", "back", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "proxy", "--network", "front", busyboxImage, "sleep", "1000")
	if r := e.burrow("exec", "proxy", "busybox", "timeout", "3", "wget", "-q", "-O", "-", "http://api/"); r.code == 0 {
		t.Fatalf("proxy reached api before connect: %s", r)
	}
	e.ok("network", "connect", "--alias", "gw", "back", "proxy")
	if out := e.ok("exec", "proxy", "ip", "-o", "-4", "addr"); !strings.Contains(out, "eth1") {
		t.Errorf("connect: no second interface:\n%s", out)
	}
	if r := e.wgetIn("proxy", "http://api/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("after connect, proxy -> api: %s", r)
	}
	if r := e.wgetIn("api", "http://gw/"); r.code == 0 {
		t.Logf("api reached gw (no server there expected): %s", r)
	}
	if out := e.ok("network", "inspect", "--format", "{{len .Containers}}", "back"); strings.TrimSpace(out) != "2" {
		t.Errorf("network inspect back: %q containers, want 2", out)
	}
	// resolv.conf follows: each network's responder is its gateway.
	gw := func(n string) string {
		return strings.TrimSpace(e.ok("network", "inspect", "--format", "{{(index .Subnets 0).Gateway}}", n))
	}
	front, back := gw("front"), gw("back")
	servers := func() []string {
		var out []string
		for _, l := range strings.Split(e.ok("exec", "proxy", "cat", "/etc/resolv.conf"), "\n") {
			if f := strings.Fields(l); len(f) == 2 && f[0] == "nameserver" {
				out = append(out, f[1])
			}
		}
		return out
	}
	if got := servers(); !slices.Equal(got, []string{front, back}) {
		t.Errorf("resolv.conf after connect: nameservers %v, want %v", got, []string{front, back})
	}
	e.ok("network", "disconnect", "front", "proxy")
	if got := servers(); !slices.Equal(got, []string{back}) {
		t.Errorf("resolv.conf after disconnect of front: nameservers %v, want [%s]", got, back)
	}
	if r := e.wgetIn("proxy", "http://api/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("after disconnect of front, proxy -> api by name: %s", r)
	}
	e.ok("network", "connect", "front", "proxy")
	if got := servers(); !slices.Equal(got, []string{back, front}) {
		t.Errorf("resolv.conf after connect of front again: nameservers %v, want %v", got, []string{back, front})
	}
	e.ok("network", "disconnect", "back", "proxy")
	if got := servers(); !slices.Equal(got, []string{front}) {
		t.Errorf("resolv.conf after disconnect of back: nameservers %v, want [%s]", got, front)
	}
	// The gateway keeps its MAC when a port leaves: api still reaches back's DNS.
	if r := e.burrow("exec", "api", "busybox", "nslookup", "api"); r.code != 0 || !strings.Contains(r.stdout, "Name:") {
		t.Errorf("api's DNS after proxy left back: %s", r)
	}
	if out := e.ok("exec", "proxy", "ip", "-o", "-4", "addr"); strings.Contains(out, "eth1") {
		t.Errorf("disconnect left the interface:\n%s", out)
	}
	if r := e.burrow("exec", "proxy", "busybox", "timeout", "3", "wget", "-q", "-O", "-", "http://api/"); r.code == 0 {
		t.Errorf("proxy still reaches api after disconnect: %s", r)
	}
	// A stopped container is connected in its record (alias kept) and
	// joins at its next start, as docker does.
	e.ok("stop", "-t", "1", "proxy")
	e.ok("network", "connect", "--alias", "gw2", "back", "proxy")
	if r := e.burrow("network", "connect", "back", "proxy"); r.code != 125 || !strings.Contains(r.stderr, "already on network") {
		t.Errorf("second connect of a stopped container: %s", r)
	}
	e.ok("start", "proxy")
	out := e.ok("exec", "proxy", "ip", "-o", "-4", "addr")
	if !strings.Contains(out, "eth0") || !strings.Contains(out, "eth1") {
		t.Fatalf("connected while stopped, after start: not on both networks:\n%s", out)
	}
	if r := e.wgetIn("proxy", "http://api/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("connected while stopped, after start, proxy -> api: %s", r)
	}
	backIP := ifaceIPv4(out, "eth1")
	// Asked of back's own gateway, from a container that saw proxy leave
	// back live before.
	if r := e.burrow("exec", "api", "busybox", "nslookup", "gw2"); backIP == "" || !strings.Contains(r.stdout, "Address: "+backIP) {
		t.Errorf("alias given while stopped does not resolve to proxy's back address %q: %s", backIP, r)
	}
	// Disconnect of a stopped container takes it off the record: the next
	// start is on front only.
	e.ok("stop", "-t", "1", "proxy")
	e.ok("network", "disconnect", "back", "proxy")
	e.ok("start", "proxy")
	if out := e.ok("exec", "proxy", "ip", "-o", "-4", "addr"); strings.Contains(out, "eth1") {
		t.Errorf("disconnected while stopped, after start: still a second interface:\n%s", out)
	}
	if out := e.ok("network", "inspect", "--format", "{{len .Containers}}", "back"); strings.TrimSpace(out) != "1" {
		t.Errorf("network inspect back after disconnect while stopped: %q containers, want 1", out)
	}
	if r := e.burrow("network", "connect", "back", "nosuchctr"); r.code != 125 {
		t.Errorf("connect of an unknown container: %s", r)
	}
	if r := e.burrow("network", "connect", "nosuchnet", "proxy"); r.code != 125 {
		t.Errorf("connect to an unknown network: %s", r)
	}
}

// TestBridgeRemoveAndPrune: rm of a network in use is refused and names
// the container; rm and prune of unused ones work; the default network is
// made on first use and kept by prune.
func TestBridgeRemoveAndPrune(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--label", "team=x", "used")
	e.ok("network", "create", "spare")
	e.ok("run", "-d", "--name", "user1", "--network", "used", busyboxImage, "sleep", "1000")
	r := e.burrow("network", "rm", "used")
	if r.code != 125 || !strings.Contains(r.stderr, "user1") {
		t.Errorf("rm of a network in use: %s", r)
	}
	if r := e.burrow("network", "exists", "used"); r.code != 0 {
		t.Errorf("a refused rm removed the network: %s", r)
	}
	if out := e.ok("network", "ls", "-q", "--filter", "label=team=x"); strings.TrimSpace(out) != "used" {
		t.Errorf("ls --filter label=team=x: %q", out)
	}
	if out := e.ok("network", "prune", "-f"); strings.TrimSpace(out) != "spare" {
		t.Errorf("prune removed %q, want spare", out)
	}
	e.ok("rm", "-f", "user1")
	e.ok("network", "rm", "used")
	if r := e.burrow("network", "exists", "used"); r.code != 1 {
		t.Errorf("exists after rm: %s", r)
	}
	if r := e.burrow("network", "exists", "bridge"); r.code != 1 {
		t.Errorf("the default network exists before first use: %s", r)
	}
	e.ok("run", "--rm", "--network", "bridge", busyboxImage, "true")
	if out := e.ok("network", "inspect", "--format", "{{(index .Subnets 0).Subnet}}", "bridge"); strings.TrimSpace(out) == "" {
		t.Errorf("the default network has no subnet")
	}
	e.ok("network", "prune", "-f")
	if r := e.burrow("network", "exists", "bridge"); r.code != 0 {
		t.Errorf("prune removed the default network: %s", r)
	}
}

// TestBridgeBadInput: each is exit 125 with a clear error and creates
// nothing (no network, no container).
func TestBridgeBadInput(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.90.0/24", "taken")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"network", "create", "--subnet", "10.89.90.128/25", "overlap"}, "overlaps network taken"},
		{[]string{"network", "create", "--subnet", "10.89.300.0/24", "badcidr"}, "not a CIDR"},
		{[]string{"network", "create", "--subnet", "10.89.91.0/24", "--gateway", "10.89.92.1", "badgw"}, "not a host address"},
		{[]string{"network", "create", "--subnet", "10.89.93.0/24", "--ip-range", "10.89.94.0/25", "badrange"}, "not inside"},
		{[]string{"network", "create", "taken"}, "exists"},
		{[]string{"network", "create", "host"}, "network name"},
		{[]string{"run", "--rm", "--network", "nosuchnet", busyboxImage, "true"}, "no such network"},
		{[]string{"run", "--rm", "--network", "taken", "--ip", "10.89.95.5", busyboxImage, "true"}, "not a host address"},
		{[]string{"run", "--rm", "--network", "taken", "--ip", "10.89.90.1", busyboxImage, "true"}, "gateway"},
		{[]string{"run", "--rm", "--network", "none", "--network-alias", "x", busyboxImage, "true"}, "user-defined network"},
		{[]string{"network", "connect", "nosuchnet", "x"}, "no such network"},
		{[]string{"network", "rm", "nosuchnet"}, "no such network"},
	}
	before := e.ok("network", "ls", "-q") + e.ok("ps", "-aq")
	for _, c := range cases {
		r := e.burrow(c.args...)
		if r.code != 125 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%v: want exit 125 and %q: %s", c.args, c.want, r)
		}
	}
	if after := e.ok("network", "ls", "-q") + e.ok("ps", "-aq"); after != before {
		t.Errorf("bad input left something: %q, was %q", after, before)
	}
	if e.netnsHolder() != 0 {
		t.Errorf("bad input started the rootless netns")
	}
}

// TestBridgeNetnsRebuilt: kill -9 of the rootless netns holder (and so its
// pasta and the namespace with every veth): the next command builds it
// again and wires the running containers back, with their addresses.
// kill -9 of a container's monitor: its address is released.
func TestBridgeNetnsRebuilt(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.79.0/24", "rebuilt")
	e.ok("run", "-d", "--name", "s1", "--network", "rebuilt", busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "s2", "--network", "rebuilt", busyboxImage, "sleep", "1000")
	ip1 := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "s1"))
	if r := e.wgetIn("s2", "http://s1/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Fatalf("before the kill: %s", r)
	}
	holder := e.netnsHolder()
	if holder == 0 {
		t.Fatal("no rootless netns holder")
	}
	if err := killAndWait(holder); err != nil {
		t.Fatal(err)
	}
	// Its pasta dies with it: the uplink is gone (the bound namespace
	// stays until a command notices).
	uplink := func() []int {
		return processesWith("/usr/bin/pasta --config-net --quiet --foreground --netns " + filepath.Join(e.dir, "run", "burrow", "netns"))
	}
	if !waitFor(5*time.Second, func() bool { return len(uplink()) == 0 }) {
		t.Fatalf("the uplink outlived its holder: %v", uplink())
	}
	e.ok("ps") // any command repairs
	if e.netnsHolder() == 0 || e.netnsHolder() == holder {
		t.Fatalf("ps did not start a new rootless netns holder")
	}
	if got := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "s1")); got != ip1 {
		t.Errorf("s1's address after the rebuild: %q, was %q", got, ip1)
	}
	if r := e.wgetIn("s2", "http://s1/"); !strings.HasPrefix(r.stdout, "served-by-") {
		t.Errorf("after the rebuild, s2 -> s1: %s", r)
	}
	if len(uplink()) != 1 {
		t.Errorf("after the rebuild: uplinks %v, want one", uplink())
	}
	const hostAddr = "198.51.100.1"
	if l, err := net.Listen("tcp", hostAddr+":0"); err == nil {
		l.Close()
		host := strings.Replace(serveHTTP(t), "0.0.0.0", hostAddr, 1)
		if r := e.wgetIn("s2", host); !strings.Contains(r.stdout, "host-says-hi") {
			t.Errorf("after the rebuild, s2 does not reach the host: %s", r)
		}
	}
	// A killed monitor: its container dies with it; its address goes back.
	id := strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "s1"))
	var st struct {
		OwnerPID int `json:"ownerPid"`
	}
	data, err := os.ReadFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
	if err != nil || json.Unmarshal(data, &st) != nil || st.OwnerPID == 0 {
		t.Fatalf("s1's run-time state: %v %s", err, data)
	}
	if err := killAndWait(st.OwnerPID); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "s3", "--network", "rebuilt", "--ip", ip1, busyboxImage, "sleep", "1000")
	e.ok("rm", "-f", "s1", "s2", "s3")
	if !waitFor(5*time.Second, func() bool { return e.netnsHolder() == 0 }) {
		t.Errorf("the rebuilt holder outlived the last container")
	}
	if ents, _ := os.ReadDir(filepath.Join(e.dir, "run", "burrow", "netns", "endpoints")); len(ents) > 0 {
		t.Errorf("addresses left allocated: %v", ents)
	}
}

// TestBridgeManyContainers: containers started at the same time on one
// network get unique addresses (IPAM under a lock).
func TestBridgeManyContainers(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.80.0/24", "many")
	const n = 20
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		go func(i int) {
			r, err := e.exec("", "run", "-d", "--name", fmt.Sprintf("m%d", i), "--network", "many", busyboxImage, "sleep", "1000")
			if err == nil && r.code != 0 {
				err = fmt.Errorf("m%d: %s", i, r)
			}
			errs <- err
		}(i)
	}
	for i := 0; i < n; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	seen := map[string]string{}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("m%d", i)
		ip := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", name))
		if other, dup := seen[ip]; dup || net.ParseIP(ip) == nil {
			t.Errorf("%s has address %q (also %s)", name, ip, other)
		}
		seen[ip] = name
	}
	args := []string{"rm", "-f"}
	for i := 0; i < n; i++ {
		args = append(args, fmt.Sprintf("m%d", i))
	}
	e.ok(args...)
}

// TestBridgeLink: --link CTR:ALIAS puts the alias in /etc/hosts and
// docker's legacy variables in the environment; a link to a container that
// is not there, or off the network, is refused.
func TestBridgeLink(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("network", "create", "linknet")
	e.ok("network", "create", "othernet")
	port := freePort(t)
	e.ok("run", "-d", "--name", "db", "--network", "linknet", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sh", "-c", httpdScript)
	e.ok("run", "-d", "--name", "far", "--network", "othernet", busyboxImage, "sleep", "1000")
	ip := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "db"))
	out := e.ok("run", "--rm", "--name", "client", "--network", "linknet", "--link", "db:database", busyboxImage, "sh", "-c",
		`grep -w database /etc/hosts; echo "addr=$DATABASE_PORT_80_TCP_ADDR name=$DATABASE_NAME"; sleep 0.5; wget -q -O - http://database/`)
	for _, want := range []string{ip + "\tdatabase", "addr=" + ip + " name=/client/database", "served-by-"} {
		if !strings.Contains(out, want) {
			t.Errorf("--link db:database: no %q in\n%s", want, out)
		}
	}
	for _, args := range [][]string{
		{"run", "--rm", "--network", "linknet", "--link", "nosuch", busyboxImage, "true"},
		{"run", "--rm", "--network", "linknet", "--link", "far", busyboxImage, "true"},
		{"run", "--rm", "--network", "none", "--link", "db", busyboxImage, "true"},
	} {
		if r := e.burrow(args...); r.code != 125 {
			t.Errorf("%v: %s", args, r)
		}
	}
}

// ifaceIPv4 is the address of iface in `ip -o -4 addr` output.
func ifaceIPv4(out, iface string) string {
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[1] == iface && f[2] == "inet" {
			ip, _, _ := strings.Cut(f[3], "/")
			return ip
		}
	}
	return ""
}

// TestBridgeForgedSource: a container may forge a source address of
// another network (here with NET_ADMIN, as a user may give it). What it
// sends must still be treated as its own network's: from an --internal
// network nothing goes out. The rules matched
// the source address alone, so a forged one let datagrams out.
func TestBridgeForgedSource(t *testing.T) {
	e := bridgeEnv(t)
	peer := udpEcho(t)
	const hostAddr = "198.51.100.1"
	pc, err := net.ListenPacket("udp4", hostAddr+":0")
	if err != nil {
		t.Skipf("%s is not a local address (tests/setup adds it on a veth): %v", hostAddr, err)
	}
	defer pc.Close()
	got := make(chan string, 16)
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			got <- fmt.Sprintf("%q from %v", buf[:n], from)
		}
	}()
	port := pc.LocalAddr().(*net.UDPAddr).Port
	e.ok("network", "create", "--subnet", "10.89.201.0/24", "open")
	e.ok("network", "create", "--internal", "--subnet", "10.89.202.0/24", "closed")
	e.ok("run", "-d", "--name", "o", "--network", "open", "-v", peer+":/udpecho:ro", busyboxImage, "/udpecho", "serve", ":5353")
	e.ok("run", "-d", "--name", "x", "--network", "closed", "--cap-add", "NET_ADMIN", "-v", peer+":/udpecho:ro", busyboxImage, "sleep", "1000")
	// The open network's own traffic does go out: the listener works.
	if r := e.burrow("exec", "o", "busybox", "timeout", "5", "/udpecho", "send", fmt.Sprintf("%s:%d", hostAddr, port), "honest"); r.code == 0 {
		t.Logf("udpecho send got an answer it should not: %s", r)
	}
	select {
	case m := <-got:
		t.Logf("from the open network: %s", m)
	case <-time.After(10 * time.Second):
		t.Fatalf("the open network's datagram never reached %s: the test cannot see a forged one either", hostAddr)
	}
	gw := strings.TrimSpace(e.ok("network", "inspect", "--format", "{{(index .Subnets 0).Gateway}}", "closed"))
	forge := "ip addr add 10.89.201.250/32 dev eth0 && ip route add default via " + gw + " src 10.89.201.250"
	if r := e.burrow("exec", "x", "sh", "-c", forge); r.code != 0 {
		t.Fatalf("forging a source address in the container: %s", r)
	}
	e.burrow("exec", "x", "busybox", "timeout", "4", "/udpecho", "send", fmt.Sprintf("%s:%d", hostAddr, port), "forged-out")
	deadline := time.After(2 * time.Second)
	for {
		select {
		case m := <-got:
			if strings.Contains(m, "forged") {
				t.Errorf("a datagram with a forged source left the --internal network: %s", m)
			}
			continue
		case <-deadline:
		}
		break
	}
}
