package tests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// requireHelper skips when a network helper or /dev/net/tun is missing.
func requireHelper(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (tests/setup installs it): %v", name, err)
	}
	f, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("/dev/net/tun cannot be opened (tests/setup makes it 0666): %v", err)
	}
	f.Close()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

const httpdScript = "mkdir -p /www; echo served-by-$HOSTNAME > /www/index.html; exec busybox httpd -f -p 80 -h /www"

func getWithin(url string, d time.Duration) (string, error) {
	return getFrom("", url, d)
}

// TestNetworkPublish: an HTTP server in a container is reached from the
// host through -p, with each helper, and two containers publish the same
// container port on different host ports.
func TestNetworkPublish(t *testing.T) {
	for _, helper := range []string{"pasta", "slirp4netns"} {
		t.Run(helper, func(t *testing.T) {
			requireHelper(t, helper)
			e := detachedEnv(t)
			p1, p2 := freePort(t), freePort(t)
			e.ok("run", "-d", "--name", "a", "--network", helper, "-p", fmt.Sprintf("127.0.0.1:%d:80", p1), busyboxImage, "sh", "-c", httpdScript)
			e.ok("run", "-d", "--name", "b", "--network", helper, "-p", fmt.Sprintf("127.0.0.1:%d:80", p2), busyboxImage, "sh", "-c", httpdScript)
			for _, p := range []int{p1, p2} {
				body, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/", p), 20*time.Second)
				if err != nil || !strings.HasPrefix(body, "served-by-") {
					t.Fatalf("GET through %s port %d: %q %v", helper, p, body, err)
				}
			}
			if out := e.ok("port", "a"); out != fmt.Sprintf("80/tcp -> 127.0.0.1:%d\n", p1) {
				t.Errorf("port a: %q", out)
			}
			if out := e.ok("exec", "a", "ip", "-o", "-4", "addr"); strings.Count(out, "inet ") < 2 {
				t.Errorf("the container has no address besides lo:\n%s", out)
			}
			e.ok("rm", "-f", "a", "b")
			// pasta is waited for (it holds the ports); slirp4netns is told to
			// go and takes a few tens of ms to remove its tap device.
			if !waitFor(5*time.Second, func() bool { return len(helperProcesses(helper)) == 0 }) {
				t.Errorf("%s left running after rm -f: %v", helper, helperProcesses(helper))
			}
			if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p1)); err != nil {
				t.Errorf("host port %d still taken after rm -f: %v", p1, err)
			} else {
				l.Close()
			}
		})
	}
}

// TestNetworkHelperDiesWithOwner: SIGKILL of a foreground burrow, and of a
// detached container's monitor, takes the helper along and frees the
// published port, with each helper.
func TestNetworkHelperDiesWithOwner(t *testing.T) {
	for _, helper := range []string{"slirp4netns", "pasta"} {
		t.Run(helper, func(t *testing.T) {
			requireHelper(t, helper)
			e := detachedEnv(t)
			port := freePort(t)
			cmd := exec.Command(burrowBin, "run", "--rm", "--network", helper, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sh", "-c", httpdScript)
			cmd.Env = e.vars
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if _, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/", port), 20*time.Second); err != nil {
				_ = cmd.Process.Kill()
				t.Fatalf("server never answered: %v", err)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			if !waitFor(10*time.Second, func() bool { return len(helperProcesses(helper)) == 0 }) {
				t.Fatalf("%s outlived the killed burrow: %v", helper, helperProcesses(helper))
			}
			if !waitFor(5*time.Second, func() bool { return portFree(port) }) {
				t.Errorf("host port %d still taken after the killed burrow", port)
			}

			id := strings.TrimSpace(e.ok("run", "-d", "--network", helper, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sleep", "1000"))
			st := readFile(e.dir + "/run/burrow/containers/" + id + ".json")
			if err := killAndWait(jsonInt(t, st, "ownerPid")); err != nil {
				t.Fatal(err)
			}
			if !waitFor(10*time.Second, func() bool { return len(helperProcesses(helper)) == 0 }) {
				t.Fatalf("%s outlived the killed monitor: %v", helper, helperProcesses(helper))
			}
			if !waitFor(5*time.Second, func() bool { return portFree(port) }) {
				t.Errorf("host port %d still taken after the killed monitor", port)
			}
		})
	}
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err == nil {
		l.Close()
	}
	return err == nil
}

// TestNetworkToHost: a client in the container reaches a server on the
// host's loopback through the helper's gateway (host.containers.internal),
// when allowed, with each helper.
func TestNetworkToHost(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A real HTTP server: one that answers without reading the request
	// closes with unread data, and the kernel then resets the connection.
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			fmt.Fprint(w, "fromhost")
		}))
	}()
	url := fmt.Sprintf("http://host.containers.internal:%d/", l.Addr().(*net.TCPAddr).Port)
	for _, helper := range []string{"slirp4netns", "pasta"} {
		t.Run(helper, func(t *testing.T) {
			requireHelper(t, helper)
			e := detachedEnv(t)
			out := e.ok("run", "--rm", "--network", helper+":allow_host_loopback=true", busyboxImage, "wget", "-q", "-O", "-", url)
			if out != "fromhost" {
				t.Errorf("container to host loopback: %q", out)
			}
			if r := e.burrow("run", "--rm", "--network", helper, busyboxImage, "wget", "-q", "-T", "3", "-O", "-", url); r.code == 0 {
				t.Errorf("host loopback reachable without allow_host_loopback: %s", r)
			}
		})
	}
}

func TestNetworkBadInput(t *testing.T) {
	e := detachedEnv(t)
	for _, c := range []struct {
		args []string
		name string // what the message must name
	}{
		{[]string{"run", "--rm", "--network", "pasta", "-p", "80:80", busyboxImage, "true"}, "80"},
		{[]string{"run", "--rm", "--network", "none", "-p", "8080:80", busyboxImage, "true"}, "-p needs --network"},
		{[]string{"run", "--rm", "--network", "slirp4netns:mtu=10", busyboxImage, "true"}, "mtu"},
		{[]string{"run", "--rm", "--network", "pasta", "-p", "99999:80", busyboxImage, "true"}, "99999"},
		// bridge is the default user-defined network now; an unknown one is refused.
		{[]string{"run", "--rm", "--network", "nosuchnet", busyboxImage, "true"}, "nosuchnet"},
	} {
		if r := e.burrow(c.args...); r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") || !strings.Contains(r.stderr, c.name) {
			t.Errorf("burrow %v: %s; want exit 125 and an error naming %s", c.args, r, c.name)
		}
		if out := e.ok("ps", "-a", "-q"); out != "" {
			t.Fatalf("burrow %v left a container: %q", c.args, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	r := e.burrow("run", "--rm", "--network", "slirp4netns", "-p", fmt.Sprintf("127.0.0.1:%d:80", taken), busyboxImage, "true")
	if r.code != 125 || !strings.Contains(r.stderr, "not free") || !strings.Contains(r.stderr, fmt.Sprint(taken)) {
		t.Errorf("a taken host port: %s; want exit 125 naming port %d", r, taken)
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("a run refused for a taken port left a container: %q", out)
	}
}

// TestNetworkInitFailsDuringSetup: the init's mounts fail while the helper
// is still coming up. The init's own reason is reported, not the helper's,
// the command never runs, and the helper goes.
func TestNetworkInitFailsDuringSetup(t *testing.T) {
	e := detachedEnv(t)
	for _, helper := range []string{"slirp4netns", "pasta"} {
		t.Run(helper, func(t *testing.T) {
			e := e.forTest(t) // failures belong to the subtest
			requireHelper(t, helper)
			// A file bound over a directory fails in the init's setup.
			r := e.burrow("run", "--rm", "--network", helper, "-v", "/etc/passwd:/bin", busyboxImage, "sh", "-c", "echo ran")
			if r.code != 125 || !strings.Contains(r.stderr, "create mount point") || strings.Contains(r.stdout, "ran") {
				t.Errorf("%s", r)
			}
			if !waitFor(5*time.Second, func() bool { return len(helperProcesses(helper)) == 0 }) {
				t.Errorf("%s left running: %v", helper, helperProcesses(helper))
			}
		})
	}
}

// helperProcesses lists this user's processes of a network helper: the
// machine is shared, and other users' helpers are none of these tests'.
func helperProcesses(name string) []int {
	var own []int
	for _, pid := range append(processesWith("/usr/bin/"+name), processesWith(name+" ")...) {
		if fi, err := os.Stat(fmt.Sprintf("/proc/%d", pid)); err == nil && fi.Sys().(*syscall.Stat_t).Uid == uint32(os.Getuid()) {
			own = append(own, pid)
		}
	}
	return own
}

// TestNetworkEtcFilesAndPublishAll: --dns*, --add-host with host-gateway,
// and -P for the image's EXPOSEd ports, shown by port and inspect.
func TestNetworkEtcFilesAndPublishAll(t *testing.T) {
	requireHelper(t, "slirp4netns")
	e := detachedEnv(t)
	tarPath := e.dir + "/exposed.tar"
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	e.ok("import", "-q", "-c", "EXPOSE 80", tarPath, "exposed")
	e.ok("run", "-d", "--name", "pub", "-P", "--network", "slirp4netns", "--add-host", "gw:host-gateway", "--add-host", "db:10.9.8.7",
		"--dns", "9.9.9.9", "--dns-search", "example.org", "--dns-option", "ndots:2", "exposed", "sh", "-c", httpdScript)
	hosts := e.ok("exec", "pub", "cat", "/etc/hosts")
	for _, want := range []string{"10.0.2.2\tgw", "10.9.8.7\tdb", "10.0.2.2\thost.containers.internal", " pub\n"} {
		if !strings.Contains(hosts, want) {
			t.Errorf("/etc/hosts lacks %q:\n%s", want, hosts)
		}
	}
	if resolv := e.ok("exec", "pub", "cat", "/etc/resolv.conf"); resolv != "nameserver 9.9.9.9\nsearch example.org\noptions ndots:2\n" {
		t.Errorf("/etc/resolv.conf:\n%s", resolv)
	}
	port := strings.TrimSpace(e.ok("inspect", "--format", `{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}`, "pub"))
	if body, err := getWithin("http://127.0.0.1:"+port+"/", 20*time.Second); err != nil || !strings.HasPrefix(body, "served-by-") {
		t.Errorf("-P published 80 on %s: %q %v", port, body, err)
	}
	if out := e.ok("port", "pub"); !strings.Contains(out, "80/tcp -> 0.0.0.0:"+port) {
		t.Errorf("port: %q", out)
	}
}

// TestNetworkContainerShare: --network container:web joins web's stack.
func TestNetworkContainerShare(t *testing.T) {
	requireHelper(t, "slirp4netns")
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "web", "--network", "slirp4netns", busyboxImage, "sh", "-c", httpdScript)
	webAddr := e.ok("exec", "web", "ip", "-o", "-4", "addr", "show", "tap0")
	out := e.ok("run", "--rm", "--network", "container:web", busyboxImage, "sh", "-c", "ip -o -4 addr show tap0; wget -q -O - http://127.0.0.1:80/")
	if !strings.HasPrefix(out, webAddr) || !strings.Contains(out, "served-by-") {
		t.Errorf("--network container:web does not share web's stack:\nweb: %s\njoined: %s", webAddr, out)
	}
	if r := e.burrow("run", "--rm", "--network", "container:nosuch", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("--network container:nosuch: %s", r)
	}
}

// TestNetworkSourceAddress records the client address a server in the
// container sees, with each helper, for a client on the host's loopback
// (127.0.0.1) and for one on a local non-loopback address (198.51.100.1,
// which tests/setup puts on a veth that leads nowhere). Both helpers keep
// it: pasta by itself, slirp4netns through rootlesskit's port driver, in
// its source-IP transparent mode for the second (slirp4netns's own hostfwd
// would show its gateway, 10.0.2.2).
func TestNetworkSourceAddress(t *testing.T) {
	cgi := `mkdir -p /www/cgi-bin; printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho $REMOTE_ADDR\n' > /www/cgi-bin/addr; chmod 755 /www/cgi-bin/addr; exec busybox httpd -f -p 80 -h /www`
	for _, helper := range []string{"pasta", "slirp4netns"} {
		for _, client := range []string{"127.0.0.1", "198.51.100.1"} {
			t.Run(helper+"/"+client, func(t *testing.T) {
				requireHelper(t, helper)
				if l, err := net.Listen("tcp", client+":0"); err != nil {
					t.Skipf("%s is not a local address here (tests/setup adds it on a veth): %v", client, err)
				} else {
					l.Close()
				}
				e := detachedEnv(t)
				// A normal Debian user's PATH, without /usr/sbin (ip, nft).
				e.vars[0] = "PATH=/usr/local/bin:/usr/bin:/bin"
				port := freePort(t)
				e.ok("run", "-d", "--network", helper, "-p", fmt.Sprintf("%s:%d:80", client, port), busyboxImage, "sh", "-c", cgi)
				got, err := getFrom(client, fmt.Sprintf("http://%s:%d/cgi-bin/addr", client, port), 20*time.Second)
				if err != nil || !strings.Contains(got, client) {
					t.Errorf("%s: the server saw %q (%v), want %s", helper, strings.TrimSpace(got), err, client)
				}
			})
		}
	}
}

// getFrom gets url from the client address local ("": any), retrying
// until the server answers or d passes.
func getFrom(local, url string, d time.Duration) (string, error) {
	dialer := &net.Dialer{Timeout: 2 * time.Second}
	if local != "" {
		dialer.LocalAddr = &net.TCPAddr{IP: net.ParseIP(local)}
	}
	client := http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DialContext: dialer.DialContext}}
	var last error
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := client.Get(url)
		if err != nil {
			last = err
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return string(body), nil
	}
	return "", last
}

// udpEcho is the static UDP peer `make e2e` builds beside burrow; the
// test image's busybox has no UDP server.
func udpEcho(t *testing.T) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(burrowBin), "udpecho")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("no UDP test peer at %s (make e2e builds it with CGO_ENABLED=0 go build -o bin/udpecho ./tests/udpecho): %v", path, err)
	}
	return path
}

// serveUDPEcho answers on the host's loopback as udpecho serve does.
func serveUDPEcho(t *testing.T) int {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	go func() {
		buf := make([]byte, 65536)
		for {
			n, from, err := conn.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = conn.WriteTo(append([]byte("echo:"), buf[:n]...), from)
		}
	}()
	return conn.LocalAddr().(*net.UDPAddr).Port
}

// askUDP sends text to addr until an answer comes or d passes.
func askUDP(addr, text string, d time.Duration) (string, error) {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return "", err
	}
	defer conn.Close()
	buf := make([]byte, 65536)
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		if _, err := conn.Write([]byte(text)); err != nil {
			// ECONNREFUSED: nothing listens yet on the host side.
			time.Sleep(100 * time.Millisecond)
			continue
		}
		_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		if n, err := conn.Read(buf); err == nil {
			return string(buf[:n]), nil
		}
	}
	return "", fmt.Errorf("no answer from %s within %s", addr, d)
}

// TestNetworkUDP: UDP both ways with each helper. A server in the
// container answers the host through -p .../udp; a client in the container
// reaches a server on the host's loopback through the gateway.
func TestNetworkUDP(t *testing.T) {
	peer := udpEcho(t)
	for _, helper := range []string{"pasta", "slirp4netns"} {
		t.Run(helper, func(t *testing.T) {
			requireHelper(t, helper)
			e := detachedEnv(t)
			mount := peer + ":/udpecho:ro"
			port := freePort(t)
			e.ok("run", "-d", "--name", "udp", "--network", helper, "-p", fmt.Sprintf("127.0.0.1:%d:5353/udp", port),
				"-v", mount, busyboxImage, "/udpecho", "serve", ":5353")
			got, err := askUDP(fmt.Sprintf("127.0.0.1:%d", port), "from-host", 20*time.Second)
			if err != nil || got != "echo:from-host" {
				t.Errorf("host to container over UDP: %q, %v", got, err)
			}
			if out := e.ok("port", "udp"); out != fmt.Sprintf("5353/udp -> 127.0.0.1:%d\n", port) {
				t.Errorf("port: %q", out)
			}

			hostPort := serveUDPEcho(t)
			out := e.ok("run", "--rm", "--network", helper+":allow_host_loopback=true", "-v", mount, busyboxImage,
				"/udpecho", "send", fmt.Sprintf("host.containers.internal:%d", hostPort), "from-container")
			if out != "echo:from-container\n" {
				t.Errorf("container to host over UDP: %q", out)
			}
			e.ok("rm", "-f", "udp")
			if c, err := net.ListenPacket("udp", fmt.Sprintf("127.0.0.1:%d", port)); err != nil {
				t.Errorf("host UDP port %d still taken after rm -f: %v", port, err)
			} else {
				c.Close()
			}
		})
	}
}

// TestNetworkIPv6: slirp4netns gives the container fd00::100 unless
// enable_ipv6=false, and a port published on the host's ::1 reaches the
// server through either helper.
func TestNetworkIPv6(t *testing.T) {
	if _, err := os.Stat("/proc/sys/net/ipv6"); err != nil {
		t.Skip("the kernel has no IPv6")
	}
	if l, err := net.Listen("tcp", "[::1]:0"); err != nil {
		t.Skipf("the host's loopback has no ::1: %v", err)
	} else {
		l.Close()
	}
	requireHelper(t, "slirp4netns")
	e := detachedEnv(t)
	if out := e.ok("run", "--rm", "--network", "slirp4netns", busyboxImage, "ip", "-o", "-6", "addr", "show", "tap0"); !strings.Contains(out, "fd00::") {
		t.Errorf("slirp4netns gave no IPv6 address:\n%s", out)
	}
	if out := e.ok("run", "--rm", "--network", "slirp4netns:enable_ipv6=false", busyboxImage, "ip", "-o", "-6", "addr", "show", "tap0"); strings.Contains(out, "fd00::") {
		t.Errorf("enable_ipv6=false still configured IPv6:\n%s", out)
	}
	for _, helper := range []string{"slirp4netns", "pasta"} {
		t.Run(helper, func(t *testing.T) {
			e := e.forTest(t) // failures belong to the subtest
			requireHelper(t, helper)
			port := freePort(t)
			e.ok("run", "-d", "--name", "v6"+helper, "--network", helper, "-p", fmt.Sprintf("[::1]:%d:80", port), busyboxImage, "sh", "-c", httpdScript)
			body, err := getWithin(fmt.Sprintf("http://[::1]:%d/", port), 20*time.Second)
			if err != nil || !strings.HasPrefix(body, "served-by-") {
				t.Errorf("through [::1]: %q, %v", body, err)
			}
			if out := e.ok("port", "v6"+helper); out != fmt.Sprintf("80/tcp -> [::1]:%d\n", port) {
				t.Errorf("port: %q", out)
			}
		})
	}
}

// TestStatsNetIO: stats counts the bytes that cross the container's
// interface (2 MB fetched from a server on the host's loopback through
// slirp4netns's gateway), and shows -- for the host's network.
func TestStatsNetIO(t *testing.T) {
	requireHelper(t, "slirp4netns")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	big := strings.Repeat("x", 2<<20)
	go func() {
		_ = http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, big) }))
	}()
	e := detachedEnv(t)
	url := fmt.Sprintf("http://host.containers.internal:%d/", l.Addr().(*net.TCPAddr).Port)
	e.ok("run", "-d", "--name", "fetcher", "--network", "slirp4netns:allow_host_loopback=true", busyboxImage,
		"sh", "-c", "wget -q -O /tmp/big "+url+" && echo fetched; exec sleep 1000")
	e.ok("run", "-d", "--name", "hostnet", "--network", "host", busyboxImage, "sleep", "1000")
	if !waitFor(20*time.Second, func() bool { return strings.Contains(e.ok("logs", "fetcher"), "fetched") }) {
		t.Fatalf("the container did not fetch from the host: %s", e.ok("logs", "fetcher"))
	}
	r := e.burrow("stats", "--no-stream", "--format", "{{.Name}} {{.NetIO}}", "fetcher", "hostnet")
	// The one reason to skip is burrow's own refusal for want of a
	// delegated cgroup; any other failure (a crash included) is a failure.
	if r.code == 125 && strings.HasPrefix(r.stderr, "Error: ") && strings.Contains(r.stderr, "has no cgroup") {
		t.Skipf("stats needs the containers' cgroups, which this host does not delegate: %s", r)
	}
	if r.code != 0 {
		t.Fatalf("stats: %s", r)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("stats: %q", r.stdout)
	}
	var rx float64
	var unit string
	if _, err := fmt.Sscanf(lines[0], "fetcher %f%s", &rx, &unit); err != nil || unit != "MiB" || rx < 2 {
		t.Errorf("NET I/O of a container that received 2 MiB: %q (%v)", lines[0], err)
	}
	if lines[1] != "hostnet --" {
		t.Errorf("host network: %q, want --", lines[1])
	}
}

// TestNetworkDefault: without --network a container gets pasta's network
// (installed by tests/setup), sees none of the host's interfaces, and
// -p works without naming a helper.
func TestNetworkDefault(t *testing.T) {
	requireHelper(t, "pasta")
	e := detachedEnv(t)
	port := freePort(t)
	id := strings.TrimSpace(e.ok("run", "-d", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sh", "-c", httpdScript))
	if body, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/", port), 20*time.Second); err != nil || !strings.HasPrefix(body, "served-by-") {
		t.Errorf("-p without --network: %q, %v", body, err)
	}
	if mode := e.ok("inspect", "--format", "{{.HostConfig.NetworkMode}}", id); mode != "pasta\n" {
		t.Errorf("network mode %q, want pasta", mode)
	}
	out := e.ok("exec", id, "sh", "-c", "ip -o link; ip route")
	if !strings.Contains(out, "default via") || strings.Contains(out, "burrowt0") {
		t.Errorf("the default network: a route out, and none of the host's links:\n%s", out)
	}
}

// TestNetworkInspectAddress: inspect shows the address the container has.
func TestNetworkInspectAddress(t *testing.T) {
	for _, helper := range []string{"pasta", "slirp4netns"} {
		t.Run(helper, func(t *testing.T) {
			requireHelper(t, helper)
			e := detachedEnv(t)
			id := strings.TrimSpace(e.ok("run", "-d", "--network", helper, busyboxImage, "sleep", "1000"))
			got := strings.Fields(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.Gateway}}", id))
			if len(got) != 3 || net.ParseIP(got[0]) == nil || net.ParseIP(got[2]) == nil {
				t.Fatalf("inspect: %q", got)
			}
			inside := e.ok("exec", id, "sh", "-c", "ip -o -4 addr; ip route")
			if !strings.Contains(inside, "inet "+got[0]+"/"+got[1]) || !strings.Contains(inside, "default via "+got[2]) {
				t.Errorf("inspect says %v; inside:\n%s", got, inside)
			}
			if helper == "slirp4netns" && got[0] != "10.0.2.100" {
				t.Errorf("slirp4netns's address is 10.0.2.100, inspect says %s", got[0])
			}
		})
	}
}

// TestNetworkDefaultWithoutHelpers: with neither pasta nor slirp4netns on
// PATH a container still runs, on loopback, and burrow says why and how to
// fix it; --network none asks for exactly that and gets no warning.
func TestNetworkDefaultWithoutHelpers(t *testing.T) {
	e := detachedEnv(t)
	bin := t.TempDir()
	for _, tool := range []string{"newuidmap", "newgidmap", "fuse-overlayfs"} {
		if path, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(path, filepath.Join(bin, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	e.vars[0] = "PATH=" + bin
	r := e.burrow("run", "--rm", busyboxImage, "sh", "-c", "ip -o link | wc -l")
	if r.code != 0 || strings.TrimSpace(r.stdout) != "1" || !strings.Contains(r.stderr, "loopback only") || !strings.Contains(r.stderr, "apt-get install passt") {
		t.Errorf("no helper: %s", r)
	}
	if r := e.burrow("run", "--rm", "--network", "none", busyboxImage, "true"); r.code != 0 || r.stderr != "" {
		t.Errorf("--network none: %s", r)
	}
}

// TestPastaForwardsOnlyPublished: pasta on its own forwards every port a
// container listens on; burrow's pasta must forward only what -p names,
// and nothing without -p.
func TestPastaForwardsOnlyPublished(t *testing.T) {
	requireHelper(t, "pasta")
	e := detachedEnv(t)
	for _, publish := range []bool{false, true} {
		name := fmt.Sprintf("publish-%v", publish)
		// The unpublished server listens on the very port number a default
		// pasta would forward from the host; pasta leaves ephemeral ports out
		// of its automatic forwarding, so the port is picked below them.
		published, hidden := freePort(t), freePortBelowEphemeral(t)
		args := []string{"run", "-d", "--name", name, "--network", "pasta"}
		if publish {
			args = append(args, "-p", fmt.Sprintf("127.0.0.1:%d:80", published))
		}
		e.ok(append(args, busyboxImage, "sh", "-c",
			fmt.Sprintf("mkdir -p /www; echo served > /www/index.html; busybox httpd -p %d -h /www; exec busybox httpd -f -p 80 -h /www", hidden))...)
		if publish {
			if body, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/", published), 20*time.Second); err != nil || body != "served\n" {
				t.Fatalf("%s: the published port: %q %v", name, body, err)
			}
		}
		if !waitFor(20*time.Second, func() bool {
			r := e.burrow("exec", name, "wget", "-q", "-O", "-", fmt.Sprintf("http://127.0.0.1:%d/", hidden))
			return r.stdout == "served\n"
		}) {
			t.Fatalf("%s: the unpublished server never came up inside", name)
		}
		if body, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/", hidden), 2*time.Second); err == nil {
			t.Errorf("%s: unpublished port %d reached from the host: %q", name, hidden, body)
		}
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", hidden)); err != nil {
			t.Errorf("%s: host port %d is held although nothing published it: %v", name, hidden, err)
		} else {
			l.Close()
		}
		e.ok("rm", "-f", name)
	}
}

// freePortBelowEphemeral is a free TCP port on 127.0.0.1 below the kernel's
// ephemeral range.
func freePortBelowEphemeral(t *testing.T) int {
	t.Helper()
	var low int
	if _, err := fmt.Sscan(readFile("/proc/sys/net/ipv4/ip_local_port_range"), &low); err != nil || low < 2048 {
		t.Fatalf("ip_local_port_range: %v (low %d)", err, low)
	}
	start := low/2 + os.Getpid()%(low/2-1024)
	for p := start; p < low; p++ {
		if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p)); err == nil {
			l.Close()
			return p
		}
	}
	t.Fatalf("no free port between %d and %d", start, low)
	return 0
}

// TestSlirpMTU: slirp4netns:mtu= sets the container interface's MTU.
func TestSlirpMTU(t *testing.T) {
	requireHelper(t, "slirp4netns")
	e := shared.forTest(t)
	for _, c := range []struct{ network, mtu string }{
		{"slirp4netns:mtu=1400", "1400"},
		{"slirp4netns", "65520"},
	} {
		out := e.ok("run", "--rm", "--network", c.network, busyboxImage, "cat", "/sys/class/net/tap0/mtu")
		if strings.TrimSpace(out) != c.mtu {
			t.Errorf("--network %s: tap0 mtu %q, want %s", c.network, out, c.mtu)
		}
	}
}
