package slirp

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/burrow/burrow/hostbin"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow/burrow/errdefs"
)

// Modes burrow knows.
const (
	Pasta       = "pasta"
	Slirp4netns = "slirp4netns"
)

// Opt says how to connect one container.
type Opt struct {
	Mode              string
	Pid               int // the container's init: its /proc/PID/ns/net is joined
	Ports             []Port
	MTU               int
	AllowHostLoopback bool
	IPv6              bool   // slirp4netns: also an address in fd00::/64 (pasta copies the host's)
	StateDir          string // the helper's and the port driver's files
}

// Stack is a running network helper.
type Stack interface {
	Stop() error
}

// ParseNetwork reads --network pasta or slirp4netns[:opt=v,...].
func ParseNetwork(v string) (Opt, error) {
	mode, opts, _ := strings.Cut(v, ":")
	o := Opt{Mode: mode, MTU: 65520, IPv6: hostHasIPv6()}
	if mode != Pasta && mode != Slirp4netns {
		return o, fmt.Errorf("network %q: %w", v, errdefs.ErrInvalidArgument)
	}
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
func forwarderPorts(o Opt) []Port {
	if o.Mode == Slirp4netns {
		return o.Ports
	}
	return withProto(o.Ports, "udp")
}

func withProto(ports []Port, proto string) []Port {
	var out []Port
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
	_, ok := defaultRouteIn(string(data))
	return ok, nil
}

// Hook returns what connects a container as it starts (for
// container.Hooks.AfterClone: it starts the helper and returns what waits
// for it) and what disconnects it after; for none and host it does nothing.
func Hook(network string, ports []Port, stateDir string) (func(pid int) (func() error, error), func()) {
	if !IsUserMode(network) {
		return nil, func() {}
	}
	var stack Stack
	connect := func(pid int) (func() error, error) {
		o, err := ParseNetwork(network)
		if err != nil {
			return nil, err
		}
		o.Pid, o.Ports, o.StateDir = pid, ports, stateDir
		// A killed run may have left the directory behind.
		_ = os.RemoveAll(stateDir)
		if err := os.MkdirAll(stateDir, 0o700); err != nil {
			return nil, fmt.Errorf("network state directory: %w", err)
		}
		var ready func() error
		stack, ready, err = Start(o)
		return ready, err
	}
	stop := func() {
		if stack != nil {
			_ = stack.Stop()
		}
		_ = os.RemoveAll(stateDir)
	}
	return connect, stop
}

// IsUserMode reports whether a --network value needs a helper.
func IsUserMode(network string) bool {
	mode, _, _ := strings.Cut(network, ":")
	return mode == Pasta || mode == Slirp4netns
}

// StateDir is where a container's network files go (pasta's namespace
// file, the port driver's socket): short, because a unix socket path has
// at most 107 bytes.
func StateDir(runRoot, id string) string {
	if len(id) > 12 {
		id = id[:12]
	}
	return filepath.Join(runRoot, "net", id)
}

// hostHasIPv6 reports whether the kernel has IPv6 at all; slirp4netns
// fails to configure the interface without it.
func hostHasIPv6() bool {
	_, err := os.Stat("/proc/sys/net/ipv6")
	return err == nil
}

// Available is the mode a container gets when --network is not given:
// pasta where it is installed, else slirp4netns. Both need /dev/net/tun.
// With neither usable it returns "" and why, with the fix.
func Available() (mode, why string) {
	for _, m := range []string{Pasta, Slirp4netns} {
		if _, err := exec.LookPath(m); err == nil {
			mode = m
			break
		}
	}
	if mode == "" {
		return "", fmt.Sprintf("no user-mode network helper is installed (%s, or %s)", hostbin.Install(Pasta), hostbin.Package(Slirp4netns))
	}
	tun, err := os.OpenFile("/dev/net/tun", os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Sprintf("%s cannot open /dev/net/tun (%v); a distribution's udev rules make it mode 0666: sudo chmod 0666 /dev/net/tun", mode, err)
	}
	tun.Close()
	return mode, ""
}
