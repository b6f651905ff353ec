package slirp

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"time"
)

// startSlirp4netns runs slirp4netns with its sandbox and seccomp filter on,
// host loopback off unless asked, and an exit fd that we hold.
func startSlirp4netns(path string, o Opt) (*helper, error) {
	exitR, exitW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	args := []string{"--configure", "--mtu=" + strconv.Itoa(o.MTU), "--enable-sandbox", "--enable-seccomp",
		"--exit-fd=3", "--api-socket", o.APISocket}
	if !o.AllowHostLoopback {
		args = append(args, "--disable-host-loopback")
	}
	args = append(args, strconv.Itoa(o.Pid), "tap0")
	cmd := exec.Command(path, args...)
	cmd.ExtraFiles = []*os.File{exitR}
	h := &helper{cmd: cmd, exitW: exitW, api: o.APISocket}
	err = h.start("slirp4netns")
	exitR.Close()
	if err != nil {
		exitW.Close()
		return nil, err
	}
	return h, nil
}

// forward asks slirp4netns, over its API socket, to forward each port.
func (h *helper) forward(ports []Port) error {
	for _, p := range ports {
		hostAddr := p.HostIP
		if hostAddr == "" {
			hostAddr = "0.0.0.0"
		}
		req := map[string]any{"execute": "add_hostfwd", "arguments": map[string]any{
			"proto": p.Proto, "host_addr": hostAddr, "host_port": p.HostPort, "guest_port": p.ContainerPort}}
		if err := h.call(req); err != nil {
			return fmt.Errorf("publish %s: %w", p, err)
		}
	}
	return nil
}

func (h *helper) call(req map[string]any) error {
	var conn net.Conn
	var err error
	for i := 0; i < 100; i++ { // the socket appears shortly after the interface
		if conn, err = net.Dial("unix", h.api); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err != nil {
		return fmt.Errorf("slirp4netns API: %w", err)
	}
	defer conn.Close()
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return err
	}
	var resp map[string]any
	if err := json.NewDecoder(conn).Decode(&resp); err != nil {
		return fmt.Errorf("slirp4netns API answer: %w", err)
	}
	if e, ok := resp["error"]; ok {
		return fmt.Errorf("slirp4netns: %v", e)
	}
	return nil
}
