package tests

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// backendCase is one network backend as the conformance test drives it.
type backendCase struct {
	network  string   // --network value
	helper   string   // a program that must be installed ("" none)
	setup    []string // burrow commands run first (e.g. the network's creation)
	address  bool     // the container has an address of its own besides lo
	reachOut bool     // the container reaches a server on the host
	publish  bool     // -p works (else it is refused, creating nothing)
}

// networkBackends are every backend burrow has; a new backend adds a case.
func networkBackends() []backendCase {
	return []backendCase{
		{network: "none"},
		{network: "host", reachOut: true},
		{network: "container:peer", reachOut: true},
		{network: "pasta", helper: "pasta", address: true, reachOut: true, publish: true},
		{network: "slirp4netns", helper: "slirp4netns", address: true, reachOut: true, publish: true},
		{network: "confnet", helper: "pasta", setup: []string{"network", "create", "confnet"}, address: true, reachOut: true, publish: true},
		{network: "bridge", helper: "pasta", address: true, reachOut: true, publish: true},
	}
}

// TestNetworkBackendConformance runs every network backend through the
// same life: start a container on it, look at its address, reach out and
// (where the backend publishes) in through a published port, stop it,
// and find nothing left: no helper process, no state directory, the host
// port free. Bad input on a backend that cannot publish creates nothing.
func TestNetworkBackendConformance(t *testing.T) {
	for _, b := range networkBackends() {
		t.Run(strings.ReplaceAll(b.network, ":", "-"), func(t *testing.T) {
			if b.helper != "" {
				requireHelper(t, b.helper)
			}
			e := detachedEnv(t)
			if len(b.setup) > 0 {
				e.ok(b.setup...)
			}
			if strings.HasPrefix(b.network, "container:") {
				requireHelper(t, "slirp4netns")
				e.ok("run", "-d", "--name", "peer", "--network", "slirp4netns", busyboxImage, "sleep", "1000")
			}
			hostSrv := serveHTTP(t)
			const hostAddr = "198.51.100.1"
			if l, err := net.Listen("tcp", hostAddr+":0"); err != nil {
				t.Skipf("%s is not a local address (tests/setup adds it): %v", hostAddr, err)
			} else {
				l.Close()
			}
			port := freePort(t)
			args := []string{"run", "-d", "--name", "c", "--network", b.network}
			if b.publish {
				args = append(args, "-p", fmt.Sprintf("127.0.0.1:%d:80", port))
			}
			cmd := []string{"sleep", "1000"}
			if b.publish {
				cmd = []string{"sh", "-c", httpdScript}
			}
			e.ok(append(append(args, busyboxImage), cmd...)...)

			// Address: inspect agrees with what the container sees.
			addr := strings.TrimSpace(e.ok("inspect", "--format", "{{.NetworkSettings.IPAddress}}", "c"))
			inside := e.ok("exec", "c", "ip", "-o", "-4", "addr")
			own := strings.Count(inside, "inet ") - strings.Count(inside, "inet 127.")
			switch {
			case b.address && (net.ParseIP(addr) == nil || !strings.Contains(inside, "inet "+addr+"/")):
				t.Errorf("inspect says address %q; inside:\n%s", addr, inside)
			case b.network == "none" && (addr != "" || own != 0):
				t.Errorf("--network none: inspect %q, inside:\n%s", addr, inside)
			case strings.HasPrefix(b.network, "container:"):
				if peer := e.ok("exec", "peer", "ip", "-o", "-4", "addr"); peer != inside {
					t.Errorf("not the peer's namespace: peer has\n%s\nthe container\n%s", peer, inside)
				}
			}

			// Out: a server on the host, at its loopback for host and at a
			// local non-loopback address (tests/setup adds 198.51.100.1) for
			// the others, which do not map the host's loopback unless asked.
			target := strings.Replace(hostSrv, "0.0.0.0", "127.0.0.1", 1)
			if b.network != "host" {
				target = strings.Replace(hostSrv, "0.0.0.0", hostAddr, 1)
			}

			r := e.burrow("exec", "c", "wget", "-q", "-O", "-", target)
			if got := strings.Contains(r.stdout, "host-says-hi"); got != b.reachOut {
				t.Errorf("--network %s reaches %s: %v, want %v (%s)", b.network, target, got, b.reachOut, r)
			}

			// In: a published port.
			if b.publish {
				body, err := getWithin(fmt.Sprintf("http://127.0.0.1:%d/", port), 20*time.Second)
				if err != nil || !strings.HasPrefix(body, "served-by-") {
					t.Errorf("published port %d: %q %v", port, body, err)
				}
			} else {
				before := e.ok("ps", "-aq")
				r := e.burrow("run", "-d", "--network", b.network, "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "true")
				if r.code != 125 || !strings.Contains(r.stderr, "-p") {
					t.Errorf("-p on --network %s: %s", b.network, r)
				}
				if after := e.ok("ps", "-aq"); after != before {
					t.Errorf("a refused -p left a container: %q, was %q", after, before)
				}
			}

			// Stop: nothing left.
			e.ok("rm", "-f", "c")
			if strings.HasPrefix(b.network, "container:") {
				e.ok("rm", "-f", "peer")
			}
			for _, h := range []string{"pasta", "slirp4netns"} {
				if !waitFor(5*time.Second, func() bool { return len(helperProcesses(h)) == 0 }) {
					t.Errorf("%s left running: %v", h, helperProcesses(h))
				}
			}
			if ents, _ := os.ReadDir(filepath.Join(e.dir, "run", "burrow", "net")); len(ents) > 0 {
				t.Errorf("network state left: %v", ents)
			}
			// The rootless netns of user-defined networks goes with its last container.
			if !waitFor(5*time.Second, func() bool {
				return len(processesWith("burrow-netns __netns "+filepath.Join(e.dir, "run", "burrow"))) == 0
			}) {
				t.Errorf("the rootless netns holder is left: %v", processesWith("burrow-netns __netns "+filepath.Join(e.dir, "run", "burrow")))
			}
			if _, err := os.Stat(filepath.Join(e.dir, "run", "burrow", "netns", "ns")); err == nil {
				t.Errorf("the rootless netns file is left")
			}
			if !waitFor(5*time.Second, func() bool { return portFree(port) }) {
				t.Errorf("host port %d still taken", port)
			}
		})
	}
}

// serveHTTP serves "host-says-hi" on every host address for the test.
func serveHTTP(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpServer{l: l}
	go srv.serve()
	t.Cleanup(func() { l.Close() })
	return fmt.Sprintf("http://0.0.0.0:%d/", l.Addr().(*net.TCPAddr).Port)
}

type httpServer struct{ l net.Listener }

func (s *httpServer) serve() {
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(5 * time.Second))
			buf := make([]byte, 4096)
			_, _ = c.Read(buf)
			_, _ = c.Write([]byte("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 12\r\n\r\nhost-says-hi"))
		}()
	}
}
