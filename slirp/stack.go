package slirp

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow/burrow/hostbin"
	"github.com/burrow/burrow/network"

	"github.com/burrow/burrow/errdefs"
)

// Modes burrow knows.
const (
	Pasta       = network.Pasta
	Slirp4netns = network.Slirp4netns
)

// Opt says how to connect one container.
type Opt struct {
	Mode              string
	Pid               int // the container's init: its /proc/PID/ns/net is joined
	Ports             []network.Port
	MTU               int
	AllowHostLoopback bool
	IPv6              bool   // slirp4netns: also an address in fd00::/64 (pasta copies the host's)
	StateDir          string // the helper's and the port driver's files
}

// Stack is a running network helper.
type Stack interface {
	Stop() error
}

// ParseNetwork reads the options of --network pasta or slirp4netns[:opt=v,...].
func ParseNetwork(m network.Mode) (Opt, error) {
	o := Opt{Mode: m.Kind, MTU: 65520, IPv6: hostHasIPv6()}
	if m.Kind != Pasta && m.Kind != Slirp4netns {
		return o, fmt.Errorf("network %q: %w", m, errdefs.ErrInvalidArgument)
	}
	opts := m.Options
	for _, kv := range strings.Split(opts, ",") {
		if kv == "" {
			continue
		}
		k, val, _ := strings.Cut(kv, "=")
		switch k {
		case "mtu":
			n, err := strconv.Atoi(val)
			if err != nil || n < 1280 || n > 65520 {
				return o, fmt.Errorf("network option %q: mtu is 1280..65520: %w", kv, errdefs.ErrInvalidArgument)
			}
			o.MTU = n
		case "allow_host_loopback", "enable_ipv6":
			b, err := strconv.ParseBool(val)
			if err != nil {
				return o, fmt.Errorf("network option %q: want true or false: %w", kv, errdefs.ErrInvalidArgument)
			}
			if k == "enable_ipv6" {
				o.IPv6 = b && o.IPv6
			} else {
				o.AllowHostLoopback = b
			}
		default:
			return o, fmt.Errorf("network option %q (want mtu=, allow_host_loopback= or enable_ipv6=): %w", kv, errdefs.ErrInvalidArgument)
		}
	}
	return o, nil
}

// Helper is the program a mode runs and the package that has it.
func Helper(mode string) (string, error) {
	path, err := hostbin.Find(mode)
	if err != nil {
		return "", fmt.Errorf("--network %s: %w: %w", mode, err, errdefs.ErrInvalidArgument)
	}
	return path, nil
}

// Start starts the helper for the container whose init is o.Pid. The
// returned ready waits until the container's interface is configured and
// its ports are published; the caller runs it while the init sets up, and
// stops the stack afterwards, also when ready fails.
func Start(o Opt) (Stack, func() error, error) {
	path, err := Helper(o.Mode)
	if err != nil {
		return nil, nil, err
	}
	var s *helper
	if o.Mode == Pasta {
		s, err = startPasta(path, o)
	} else {
		s, err = startSlirp4netns(path, o)
	}
	if err != nil {
		return nil, nil, err
	}
	ready := func() error {
		if err := waitForRoute(o.Pid, s, o.Mode == Slirp4netns && o.IPv6); err != nil {
			return err
		}
		if ports := forwarderPorts(o); len(ports) > 0 {
			if s.fwd, err = startForwarder(o.Pid, o.StateDir, ports); err != nil {
				return err
			}
		}
		return nil
	}
	return s, ready, nil
}

// forwarderPorts are the ports the helper does not publish itself:
// slirp4netns's hostfwd loses the client's address, so all of them; pasta
// forwards TCP, but the 2023 pasta in Debian 12 drops UDP whose host port
// differs from the container's, so UDP goes through the forwarder too.
func forwarderPorts(o Opt) []network.Port {
	if o.Mode == Slirp4netns {
		return o.Ports
	}
	return withProto(o.Ports, "udp")
}

func withProto(ports []network.Port, proto string) []network.Port {
	var out []network.Port
	for _, p := range ports {
		if p.Proto == proto {
			out = append(out, p)
		}
	}
	return out
}

// helper is a started pasta or slirp4netns process.
type helper struct {
	cmd    *exec.Cmd
	stderr *bytes.Buffer
	exitW  *os.File // slirp4netns quits when this closes
	fwd    *forwarder
	// holdsPorts: the helper itself listens on host ports.
	holdsPorts bool
	done       chan struct{}
	cleanup    func()
}

func (h *helper) start(name string) error {
	h.stderr = &bytes.Buffer{}
	h.cmd.Stderr = h.stderr
	// The helper dies with its owner (burrow or the monitor), even on SIGKILL.
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := h.cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	h.done = make(chan struct{})
	go func() { _ = h.cmd.Wait(); close(h.done) }()
	return nil
}

// Stop ends the helper. It waits for the helper only when the helper holds
// host ports (pasta's TCP ports), so that they are free when Stop returns.
// Otherwise the helper is only told to go: its exit removes its tap device,
// which costs the kernel an RCU grace period (about 25 ms here), and
// nothing needs to wait for that.
func (h *helper) Stop() error {
	if h.fwd != nil {
		h.fwd.stop()
	}
	if h.exitW != nil {
		h.exitW.Close()
	}
	_ = h.cmd.Process.Signal(syscall.SIGTERM)
	if h.holdsPorts {
		select {
		case <-h.done:
		case <-time.After(2 * time.Second):
			_ = h.cmd.Process.Kill()
			<-h.done
		}
	}
	if h.cleanup != nil {
		h.cleanup()
	}
	return nil
}

func (h *helper) failed(name string) error {
	return fmt.Errorf("%s exited: %s", name, strings.TrimSpace(h.stderr.String()))
}

// waitForRoute waits until the container's namespace has a default route
// (and an IPv6 one when asked): the helper has configured its interface.
func waitForRoute(pid int, h *helper, ipv6 bool) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-h.done:
			return h.failed(h.cmd.Args[0])
		default:
		}
		has, err := hasDefaultRoute(pid)
		if err != nil {
			// The init's setup failed and it exited; its report says why.
			return fmt.Errorf("the container's init exited before its network came up: %w", err)
		}
		if has && (!ipv6 || hasDefaultRoute6(pid)) {
			return nil
		}
		time.Sleep(2 * time.Millisecond)
	}
	return errors.New("the network helper did not configure the container within 10s: " + strings.TrimSpace(h.stderr.String()))
}

// hasDefaultRoute6 looks for ::/0 through a real device in
// /proc/PID/net/ipv6_route (destination, prefix length, ..., device last);
// the kernel's own unreachable ::/0 sits on lo.
func hasDefaultRoute6(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/ipv6_route", pid))
	return err == nil && defaultRoute6In(string(data))
}

func defaultRoute6In(table string) bool {
	for _, line := range strings.Split(table, "\n") {
		f := strings.Fields(line)
		if len(f) == 10 && strings.Trim(f[0], "0") == "" && f[1] == "00" && f[9] != "lo" {
			return true
		}
	}
	return false
}

func hasDefaultRoute(pid int) (bool, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/route", pid))
	if err != nil {
		return false, err
	}
	_, ok := network.DefaultRouteIn(string(data))
	return ok, nil
}

// hostHasIPv6 reports whether the kernel has IPv6 at all; slirp4netns
// fails to configure the interface without it.
func hostHasIPv6() bool {
	_, err := os.Stat("/proc/sys/net/ipv6")
	return err == nil
}
