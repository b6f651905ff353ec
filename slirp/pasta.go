package slirp

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/burrow/burrow/network"
	"golang.org/x/sys/unix"
)

// PastaDNS is where pasta answers DNS for the container, forwarding to the
// host's first nameserver: for hosts whose resolv.conf names a loopback
// resolver, which the container cannot reach.
const PastaDNS = "169.254.1.1"

// startPasta runs pasta in the foreground (so it is our child and dies
// with us) on the container's network namespace, forwarding exactly the
// published TCP ports.
func startPasta(path string, o Opt) (*helper, error) {
	nsFile, err := bindNetns(o.Pid, filepath.Join(o.StateDir, "netns"))
	if err != nil {
		return nil, err
	}
	args := []string{"--config-net", "--quiet", "--foreground", "--netns", nsFile, "--netns-only", "--runas", "0:0",
		"--mtu", strconv.Itoa(o.MTU), "-T", "none", "-U", "none", "--dns-forward", PastaDNS}
	if !o.AllowHostLoopback {
		args = append(args, "--no-map-gw")
	}
	// UDP is published by the forwarder (see forwarderPorts).
	tcp := withProto(o.Ports, "tcp")
	args = append(args, pastaTCPArgs(tcp)...)
	args = append(args, "-u", "none")
	h := &helper{cmd: exec.Command(path, args...), cleanup: func() { unbindNetns(nsFile) },
		holdsPorts: len(tcp) > 0}
	if err := h.start("pasta"); err != nil {
		unbindNetns(nsFile)
		return nil, err
	}
	return h, nil
}

// bindNetns makes the container's network namespace a file pasta can open.
// pasta drops capabilities before it opens the namespace, and the kernel
// lets a process with fewer capabilities than the container's open
// /proc/PID/ns/net only through such a bind mount.
func bindNetns(pid int, file string) (string, error) {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("netns file for pasta: %w", err)
	}
	f.Close()
	if err := unix.Mount(fmt.Sprintf("/proc/%d/ns/net", pid), file, "", unix.MS_BIND, ""); err != nil {
		os.Remove(file)
		return "", fmt.Errorf("bind the container's network namespace for pasta: %w", err)
	}
	return file, nil
}

func unbindNetns(file string) {
	_ = unix.Unmount(file, unix.MNT_DETACH)
	_ = os.Remove(file)
}

// pastaTCPArgs are pasta's -t options for exactly the published TCP ports.
func pastaTCPArgs(tcp []network.Port) []string {
	if len(tcp) == 0 {
		return []string{"-t", "none"}
	}
	var args []string
	for _, p := range tcp {
		spec := fmt.Sprintf("%d:%d", p.HostPort, p.ContainerPort)
		if p.HostIP != "" {
			spec = p.HostIP + "/" + spec
		}
		args = append(args, "-t", spec)
	}
	return args
}
