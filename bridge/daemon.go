package bridge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/burrow/burrow/hostbin"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Uplink is the name of pasta's interface in the rootless netns.
const Uplink = "uplink0"

// upstreamDNS is where pasta answers DNS in the rootless netns, forwarding
// to the host's first nameserver (for hosts whose resolvers are loopback).
const upstreamDNS = "169.254.1.1"

// Main is the rootless netns holder (`burrow __netns RUNROOT`), started
// in a new network namespace by the first command that needs it: it sets
// the namespace up, runs pasta as its uplink and answers DNS on port 53 for
// every network's containers, until pasta exits or it is killed. Its
// ready pipe (descriptor 3) gets the line "netns" once containers can be
// wired in (pasta still starting), then "ok" once the uplink is up, or at
// any point what failed.
func Main(args []string) int {
	// Not for pasta: the starter reads the pipe until every writer is gone.
	unix.CloseOnExec(3)
	ready := os.NewFile(3, "ready")
	if len(args) != 1 {
		fmt.Fprintln(ready, "usage: __netns RUNROOT")
		return 125
	}
	runRoot := args[0]
	// The holder outlives the command that started it (setsid: no terminal).
	// Caught, not ignored: an ignored SIGPIPE is inherited, and pasta (2023)
	// then refuses to start.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP)
	pasta, err := setUp(runRoot)
	if err != nil {
		fmt.Fprintln(ready, err)
		return 125
	}
	fmt.Fprintln(ready, readyNetns)
	err = inNetns(nsFile(runRoot), func() error { return waitForUplink(pasta) })
	if err == nil {
		err = os.WriteFile(filepath.Join(Dir(runRoot), upFileName), nil, 0o600)
	}
	if err != nil {
		_ = pasta.Process.Kill()
		fmt.Fprintln(ready, err)
		return 125
	}
	fmt.Fprintln(ready, "ok")
	ready.Close()
	err = pasta.Wait()
	fmt.Fprintf(os.Stderr, "rootless netns: pasta exited: %v\n", err)
	return 1
}

// readyNetns is the holder's first word to its starter: the namespace and
// its tables are there; the uplink follows.
const readyNetns = "netns"

func setUp(runRoot string) (*exec.Cmd, error) {
	ns := nsFile(runRoot)
	var dns dnsSockets
	err := inNewNetns(ns, func() error {
		lo, err := netlink.LinkByName("lo")
		if err == nil {
			err = netlink.LinkSetUp(lo)
		}
		if err != nil {
			return fmt.Errorf("loopback up: %w", err)
		}
		// Opened on this thread, so the file is the new namespace's.
		if err := os.WriteFile("/proc/sys/net/ipv4/ip_forward", []byte("1"), 0); err != nil {
			return fmt.Errorf("enable forwarding: %w", err)
		}
		// IPv6 networks route between their containers and out; a kernel
		// without IPv6 has no such file, and then no IPv6 network works.
		if err := os.WriteFile("/proc/sys/net/ipv6/conf/all/forwarding", []byte("1"), 0); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("enable IPv6 forwarding: %w", err)
		}
		dns, err = listenDNS()
		return err
	})
	if err != nil {
		return nil, err
	}
	serveDNS(runRoot, dns)
	pasta, err := startUplink(ns)
	if err != nil {
		return nil, err
	}
	// The tables go in while pasta starts: they are made once here (their
	// hooks are slow to register), and nothing is forwarded until a
	// connecting command puts in its networks' rules.
	if err := inNetns(ns, func() error { return setRules(nil) }); err != nil {
		_ = pasta.Process.Kill()
		return nil, err
	}
	return pasta, nil
}

// inNewNetns makes a network namespace, binds it to file and runs fn in
// it, on a thread of its own: the holder itself stays in the host's
// namespace, where pasta must start to open its sockets.
func inNewNetns(file string, fn func() error) error {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return fmt.Errorf("netns file: %w", err)
	}
	f.Close()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		// Left locked unless the thread is back home: Go then ends it.
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("new network namespace: %w", err)
			return
		}
		err = unix.Mount(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), file, "", unix.MS_BIND, "")
		if err != nil {
			err = fmt.Errorf("bind the rootless netns: %w", err)
		} else {
			err = fn()
		}
		if netns.Set(orig) == nil {
			runtime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
}

// startUplink runs pasta on the namespace with no port forwarding (ports
// are published straight into containers) and no map of the gateway to the
// host's loopback, as for a container of its own.
func startUplink(ns string) (*exec.Cmd, error) {
	path, err := hostbin.Find("pasta")
	if err != nil {
		return nil, fmt.Errorf("the rootless netns needs pasta for its uplink: %w", err)
	}
	cmd := exec.Command(path, "--config-net", "--quiet", "--foreground", "--netns", ns, "--netns-only",
		"--runas", "0:0", "--mtu", "65520", "-I", Uplink, "--no-map-gw", "--dns-forward", upstreamDNS,
		"-t", "none", "-u", "none", "-T", "none", "-U", "none")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start pasta: %w", err)
	}
	return cmd, nil
}

// waitForUplink waits, inside the namespace, for pasta's default route.
func waitForUplink(pasta *exec.Cmd) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		routes, err := netlink.RouteList(nil, netlink.FAMILY_V4)
		if err != nil {
			return fmt.Errorf("routes: %w", err)
		}
		for _, r := range routes {
			if r.Dst == nil || r.Dst.IP.IsUnspecified() {
				return nil
			}
		}
		var ws unix.WaitStatus
		if pid, _ := unix.Wait4(pasta.Process.Pid, &ws, unix.WNOHANG, nil); pid == pasta.Process.Pid {
			return fmt.Errorf("pasta exited (%v) before the uplink came up; see %s", ws, filepath.Join("$RUNROOT", dirName, logFileName))
		}
		time.Sleep(2 * time.Millisecond)
	}
	return fmt.Errorf("pasta did not configure the uplink within 10s")
}
