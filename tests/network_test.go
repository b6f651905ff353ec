package tests

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
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
	var last error
	client := http.Client{Timeout: 2 * time.Second}
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
			if procs := helperProcesses(helper); len(procs) != 0 {
				t.Errorf("%s left running after rm -f: %v", helper, procs)
			}
			if l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p1)); err != nil {
				t.Errorf("host port %d still taken after rm -f: %v", p1, err)
			} else {
				l.Close()
			}
		})
	}
}

// TestNetworkHelperDiesWithOwner: SIGKILL of a foreground burrow (and of a
// monitor) takes its network helper along.
func TestNetworkHelperDiesWithOwner(t *testing.T) {
	requireHelper(t, "slirp4netns")
	e := detachedEnv(t)
	port := freePort(t)
	cmd := exec.Command(burrowBin, "run", "--rm", "--network", "slirp4netns", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sh", "-c", httpdScript)
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
	if !waitFor(10*time.Second, func() bool { return len(helperProcesses("slirp4netns")) == 0 }) {
		t.Fatalf("slirp4netns outlived the killed burrow: %v", helperProcesses("slirp4netns"))
	}

	id := strings.TrimSpace(e.ok("run", "-d", "--network", "slirp4netns", busyboxImage, "sleep", "1000"))
	st := readFile(e.dir + "/run/burrow/containers/" + id + ".json")
	if err := killAndWait(jsonInt(t, st, "ownerPid")); err != nil {
		t.Fatal(err)
	}
	if !waitFor(10*time.Second, func() bool { return len(helperProcesses("slirp4netns")) == 0 }) {
		t.Fatalf("slirp4netns outlived the killed monitor: %v", helperProcesses("slirp4netns"))
	}
}

// TestNetworkToHost: a client in the container reaches a server on the
// host's loopback through slirp4netns's gateway, when allowed.
func TestNetworkToHost(t *testing.T) {
	requireHelper(t, "slirp4netns")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Length: 8\r\n\r\nfromhost")
			c.Close()
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	e := detachedEnv(t)
	url := fmt.Sprintf("http://host.containers.internal:%d/", port)
	out := e.ok("run", "--rm", "--network", "slirp4netns:allow_host_loopback=true", busyboxImage, "wget", "-q", "-O", "-", url)
	if out != "fromhost" {
		t.Errorf("container to host loopback: %q", out)
	}
	if r := e.burrow("run", "--rm", "--network", "slirp4netns", busyboxImage, "wget", "-q", "-T", "3", "-O", "-", url); r.code == 0 {
		t.Errorf("host loopback reachable without allow_host_loopback: %s", r)
	}
}

func TestNetworkBadInput(t *testing.T) {
	e := shared.forTest(t)
	for _, args := range [][]string{
		{"run", "--rm", "--network", "pasta", "-p", "80:80", busyboxImage, "true"},
		{"run", "--rm", "-p", "8080:80", busyboxImage, "true"},
		{"run", "--rm", "--network", "slirp4netns:mtu=10", busyboxImage, "true"},
		{"run", "--rm", "--network", "pasta", "-p", "99999:80", busyboxImage, "true"},
		{"run", "--rm", "--network", "bridge", busyboxImage, "true"},
	} {
		if r := e.burrow(args...); r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") {
			t.Errorf("burrow %v: %s; want exit 125", args, r)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	taken := l.Addr().(*net.TCPAddr).Port
	r := e.burrow("run", "--rm", "--network", "slirp4netns", "-p", fmt.Sprintf("127.0.0.1:%d:80", taken), busyboxImage, "true")
	if r.code != 125 || !strings.Contains(r.stderr, "not free") {
		t.Errorf("a taken host port: %s", r)
	}
}

func helperProcesses(name string) []int {
	return append(processesWith("/usr/bin/"+name), processesWith(name+" ")...)
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
	for _, want := range []string{"10.0.2.2\tgw", "10.9.8.7\tdb", "10.0.2.2\thost.containers.internal"} {
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
// container sees: pasta keeps the client's own (127.0.0.1 here);
// slirp4netns's port forwarding shows its gateway, 10.0.2.2 (rootlesskit's
// port driver, which would keep it, is not wired yet).
func TestNetworkSourceAddress(t *testing.T) {
	cgi := `mkdir -p /www/cgi-bin; printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho $REMOTE_ADDR\n' > /www/cgi-bin/addr; chmod 755 /www/cgi-bin/addr; exec busybox httpd -f -p 80 -h /www`
	for helper, want := range map[string]string{"pasta": "127.0.0.1", "slirp4netns": "10.0.2.2"} {
		t.Run(helper, func(t *testing.T) {
			requireHelper(t, helper)
			e := detachedEnv(t)
			port := freePort(t)
			e.ok("run", "-d", "--network", helper, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sh", "-c", cgi)
			got, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/cgi-bin/addr", port), 20*time.Second)
			if err != nil || !strings.Contains(got, want) {
				t.Errorf("%s: the server saw %q (%v), want %s", helper, strings.TrimSpace(got), err, want)
			}
		})
	}
}
