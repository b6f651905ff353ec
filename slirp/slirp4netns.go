package slirp

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"

	"github.com/containernetworking/plugins/pkg/ns"
)

// startSlirp4netns runs slirp4netns with its sandbox and seccomp filter on,
// host loopback off unless asked, and an exit fd that we hold.
func startSlirp4netns(path string, o Opt) (*helper, error) {
	exitR, exitW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	args := []string{"--configure", "--mtu=" + strconv.Itoa(o.MTU), "--enable-sandbox", "--enable-seccomp",
		"--exit-fd=3"}
	if o.IPv6 {
		if err := prepareIPv6(o.Pid); err != nil {
			return nil, err
		}
		args = append(args, "--enable-ipv6")
	}
	if !o.AllowHostLoopback {
		args = append(args, "--disable-host-loopback")
	}
	args = append(args, strconv.Itoa(o.Pid), "tap0")
	cmd := exec.Command(path, args...)
	cmd.ExtraFiles = []*os.File{exitR}
	h := &helper{cmd: cmd, exitW: exitW}
	err = h.start("slirp4netns")
	exitR.Close()
	if err != nil {
		exitW.Close()
		return nil, err
	}
	return h, nil
}

// prepareIPv6 makes the interface slirp4netns is about to create take its
// IPv6 address at once: without duplicate address detection and the
// router-solicitation delay the kernel waits about a second for the router
// advertisement that carries fd00::/64, by which time the command runs.
func prepareIPv6(pid int) error {
	return ns.WithNetNSPath(fmt.Sprintf("/proc/%d/ns/net", pid), func(ns.NetNS) error {
		for _, s := range []string{"accept_dad", "router_solicitation_delay"} {
			path := "/proc/sys/net/ipv6/conf/default/" + s
			if err := os.WriteFile(path, []byte("0"), 0); err != nil {
				return fmt.Errorf("container's %s: %w", path, err)
			}
		}
		return nil
	})
}
