package tests

import (
	"fmt"
	"os"
	"path/filepath"
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

// apiLimitFlags are docker's finer resource flags: what burrow records
// for them and docker inspect's rendering of the record (limitFormat).
var apiLimitFlags = []string{"--cpu-period", "50000", "--cpu-quota", "25000", "--cpuset-mems", "0",
	"--memory", "128m", "--memory-reservation", "64m",
	"--blkio-weight-device", "/dev/vda:200", "--device-read-iops", "/dev/vda:1000", "--device-write-iops", "/dev/vda:500"}

const limitFormat = "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.NanoCpus}} {{.HostConfig.CpusetMems}} " +
	"{{.HostConfig.Memory}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CgroupParent}} " +
	"{{json .HostConfig.BlkioWeightDevice}} {{json .HostConfig.BlkioDeviceReadIOps}} {{json .HostConfig.BlkioDeviceWriteIOps}}"

// TestAPIResourceLimits: the docker CLI's finer resource flags reach the
// engine through burrow's socket as burrow's own flags do: the CPU period
// and quota as they are (not folded into --cpus), cpuset mems, the memory
// reservation, the per-device IO weight and IOPS, the cgroup parent. Here
// (no controller delegated) a create with limits must fail for want of
// the controllers they need, which shows the engine got them as limits;
// --cgroup-parent needs none, so that container is made, placed and
// inspected. TestAPIResourceLimitsRecorded checks the record where the
// controllers are delegated.
func TestAPIResourceLimits(t *testing.T) {
	requireClient(t, "docker", "--version")
	base := delegatedCgroup(t)
	a := startService(t)
	t.Cleanup(func() { _ = os.Remove(filepath.Join(base, "sub")) })

	if r := a.docker("run", "-d", "--name", "placed", "--cgroup-parent", "sub", busyboxImage, "sleep", "1000"); r.code != 0 {
		t.Fatalf("docker run --cgroup-parent: %s", r)
	}
	id := strings.TrimSpace(a.ok("inspect", "--format", "{{.Id}}", "placed"))
	pid := strings.TrimSpace(a.ok("inspect", "--format", "{{.State.Pid}}", "placed"))
	if procs := readFile(filepath.Join(base, "sub", "burrow-"+id, "cgroup.procs")); !strings.Contains(procs, pid) {
		t.Errorf("docker run --cgroup-parent sub: PID 1 %s is not in %s/sub/burrow-%s (%q)", pid, base, id, procs)
	}
	if r := a.docker("inspect", "-f", "{{.HostConfig.CgroupParent}}", "placed"); strings.TrimSpace(r.stdout) != "sub" {
		t.Errorf("docker inspect CgroupParent: %s", r)
	}
	a.docker("rm", "-f", "placed")

	if !strings.Contains(readFile(filepath.Join(base, "cgroup.controllers")), "cpuset") {
		args := append(append([]string{"create", "--name", "lim"}, apiLimitFlags...), busyboxImage, "true")
		r := a.docker(args...)
		if r.code == 0 || !strings.Contains(r.stderr, "memory, cpu, cpuset, io are not delegated") {
			t.Errorf("docker create with limits on a host without delegated controllers: %s\nwant the engine's refusal naming memory, cpu, cpuset, io", r)
		}
		// Each alone: refused for its controller, not as unsupported.
		for _, one := range [][]string{{"--cpuset-mems", "0"}, {"--memory-reservation", "64m"}, {"--device-read-iops", "/dev/vda:1000"}} {
			args := append(append([]string{"create"}, one...), busyboxImage, "true")
			if r := a.docker(args...); r.code == 0 || !strings.Contains(r.stderr, "not delegated") {
				t.Errorf("docker %v: %s\nwant the engine's refusal for want of a delegated controller", args, r)
			}
		}
	}
	// The engine's rules hold for the API as for the flags, before
	// anything is made.
	for flag, bad := range map[string][]string{
		"--cpus":               {"--cpus", "1", "--cpu-period", "50000"},
		"--cpu-period":         {"--cpu-period", "500"},
		"--memory-reservation": {"--memory", "64m", "--memory-reservation", "128m"},
		"--cgroup-parent":      {"--cgroup-parent", "../out"},
	} {
		args := append(append([]string{"create"}, bad...), busyboxImage, "true")
		if r := a.docker(args...); r.code == 0 || !strings.Contains(r.stderr, flag) {
			t.Errorf("docker %v: %s\nwant a refusal naming %s", args, r, flag)
		}
	}
	if out := strings.TrimSpace(a.ok("ps", "-aq")); out != "" {
		t.Errorf("refused creates left containers: %q", out)
	}
}

// TestAPIResourceLimitsRecorded: where the controllers are delegated (the
// VM tier), docker create records the limits as given and docker
// inspect and burrow inspect show them; the cgroup gets them at start.
func TestAPIResourceLimitsRecorded(t *testing.T) {
	requireClient(t, "docker", "--version")
	skipIsFatal(t) // the VM tier runs it for want of anywhere else
	base := delegatedCgroup(t, "memory", "cpu", "cpuset", "io")
	if _, err := os.Stat("/dev/vda"); err != nil {
		t.Skip("no /dev/vda for the per-device limits")
	}
	a := startService(t)
	args := append(append([]string{"create", "--name", "lim"}, apiLimitFlags...), busyboxImage, "sleep", "1000")
	if r := a.docker(args...); r.code != 0 {
		t.Fatalf("docker create with resource flags: %s", r)
	}
	want := `50000 25000 0 0 134217728 67108864  [{"Path":"/dev/vda","Weight":200}] [{"Path":"/dev/vda","Rate":1000}] [{"Path":"/dev/vda","Rate":500}]`
	if r := a.docker("inspect", "-f", limitFormat, "lim"); strings.TrimSpace(r.stdout) != want {
		t.Errorf("docker inspect: %s\nwant stdout %s", r, want)
	}
	if out := strings.TrimSpace(a.ok("inspect", "--format", limitFormat, "lim")); out != want {
		t.Errorf("burrow inspect: %s\nwant %s", out, want)
	}
	a.docker("start", "lim")
	id := strings.TrimSpace(a.ok("inspect", "--format", "{{.Id}}", "lim"))
	for file, want := range map[string]string{"cpu.max": "25000 50000", "cpuset.mems": "0", "memory.low": "67108864"} {
		if got := strings.TrimSpace(readFile(filepath.Join(containerCgroupDir(t, base, id), file))); got != want {
			t.Errorf("%s = %q, want %q", file, got, want)
		}
	}
	a.docker("create", "--name", "quota", "--cpu-quota", "30000", busyboxImage, "true")
	if r := a.docker("inspect", "-f", "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.NanoCpus}}", "quota"); strings.TrimSpace(r.stdout) != "0 30000 0" {
		t.Errorf("docker inspect of --cpu-quota alone: %s", r)
	}
}
