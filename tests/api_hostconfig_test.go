package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestAPIHostConfig: the docker CLI's run flags that become HostConfig
// fields (capabilities, sysctls, ulimits, groups, shm size, namespace
// modes, stop signal and timeout, devices) reach the container through
// burrow's socket, as they do through `burrow run`.
func TestAPIHostConfig(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	script := "grep CapEff /proc/self/status | tr -d '\\t'; cat /proc/sys/kernel/msgmax; ulimit -n; id -G; df -k /dev/shm | tail -1 | awk '{print $2}'; test -c /dev/zero2 && echo dev-ok"
	r := a.docker("run", "--rm", "--cap-drop", "ALL", "--sysctl", "kernel.msgmax=12345", "--ulimit", "nofile=100:200",
		"--group-add", "1234", "--shm-size", "2m", "--ipc", "private", "--device", "/dev/zero:/dev/zero2",
		busyboxImage, "sh", "-c", script)
	want := "CapEff:0000000000000000\n12345\n100\n0 1234\n2048\ndev-ok\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("docker run with HostConfig controls: %s\nwant stdout %q", r, want)
	}
	a.docker("run", "-d", "--name", "sig", "--stop-signal", "USR1", "--stop-timeout", "1", busyboxImage, "sleep", "1000")
	if r := a.docker("inspect", "-f", "{{.Config.StopSignal}}", "sig"); strings.TrimSpace(r.stdout) != "USR1" {
		t.Errorf("stop signal: %s", r)
	}
	// sleep as PID 1 ignores USR1, so stop sends SIGKILL after the
	// container's timeout of one second, not after docker's default 10.
	start := time.Now()
	if r := a.docker("stop", "sig"); r.code != 0 || time.Since(start) > 8*time.Second {
		t.Errorf("docker stop with --stop-timeout 1: %s after %v", r, time.Since(start))
	}
	if r := a.docker("run", "--rm", "--uts", "host", "--hostname", "x", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--hostname") {
		t.Errorf("--uts host with --hostname accepted: %s", r)
	}
}

// TestAPIFreeHostPorts: -p with no host port, and -P over --expose, get
// free host ports as docker's do, and the service answers there.
func TestAPIFreeHostPorts(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	if r := a.docker("run", "-d", "--name", "web", "-p", "80", "-P", "--expose", "8080", busyboxImage, "sh", "-c", httpdScript); r.code != 0 {
		t.Fatalf("docker run -p 80 -P: %s", r)
	}
	r := a.docker("port", "web")
	ports := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		ctr, host, _ := strings.Cut(l, " -> ")
		ports[ctr] = host
	}
	web, expose := ports["80/tcp"], ports["8080/tcp"]
	if web == "" || expose == "" || strings.HasSuffix(web, ":80") || web == expose {
		t.Fatalf("docker port: %s", r)
	}
	_, port, _ := strings.Cut(web, ":")
	body, err := getWithin(fmt.Sprintf("http://127.0.0.1:%s/", port), 20*time.Second)
	if err != nil || !strings.HasPrefix(body, "served-by-") {
		t.Errorf("GET on the picked port %s: %q %v", port, body, err)
	}
}
