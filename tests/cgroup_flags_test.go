package tests

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestCgroupFlagsPlacement: --cgroup-parent puts the container's cgroup
// under a cgroup made below the delegated one (relative, or absolute in
// the cgroup tree), --cgroup-conf writes a file of the container's cgroup
// that the container reads, --cgroups=disabled gives it no cgroup at all.
// None of it needs a controller, so it runs wherever a cgroup is delegated.
func TestCgroupFlagsPlacement(t *testing.T) {
	base := delegatedCgroup(t)
	e := detachedEnv(t)
	// The parents stay after their containers, as podman leaves them.
	t.Cleanup(func() {
		for _, d := range []string{"jobs/nightly", "jobs", "abs"} {
			_ = os.Remove(filepath.Join(base, d))
		}
	})

	id := strings.TrimSpace(e.ok("run", "-d", "--name", "nested", "--cgroup-parent", "jobs/nightly", busyboxImage, "sleep", "1000"))
	dir := filepath.Join(base, "jobs", "nightly", "burrow-"+id)
	pid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "nested"))
	if procs := readFile(filepath.Join(dir, "cgroup.procs")); !strings.Contains(procs, pid) {
		t.Errorf("--cgroup-parent jobs/nightly: PID 1 %s is not in %s (%q)", pid, dir, procs)
	}
	if _, err := os.Stat(filepath.Join(base, "burrow-"+id)); err == nil {
		t.Errorf("--cgroup-parent: a cgroup was made in the delegated directory too")
	}
	if got := e.ok("inspect", "--format", "{{.HostConfig.CgroupParent}}", "nested"); got != "jobs/nightly\n" {
		t.Errorf("HostConfig.CgroupParent = %q", got)
	}
	e.ok("rm", "-f", "nested")
	if _, err := os.Stat(dir); err == nil {
		t.Errorf("rm -f left the container's cgroup %s", dir)
	}

	// Absolute: a path in the cgroup tree, inside the delegated one.
	tree := "/" + strings.TrimPrefix(strings.TrimPrefix(base, cgroup2Mount()), "/")
	id = strings.TrimSpace(e.ok("run", "-d", "--cgroup-parent", tree+"/abs", busyboxImage, "sleep", "1000"))
	if _, err := os.Stat(filepath.Join(base, "abs", "burrow-"+id)); err != nil {
		t.Errorf("--cgroup-parent %s/abs: %v", tree, err)
	}
	e.ok("rm", "-f", id)
	if r := e.burrow("run", "--rm", "--cgroup-parent", "/elsewhere", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--cgroup-parent") {
		t.Errorf("--cgroup-parent outside the delegated cgroup: %s; want 125 naming the flag", r)
	}

	// --cgroup-conf: a core file, so no controller is needed; the container reads it.
	out := e.ok("run", "--rm", "--cgroup-conf", "cgroup.max.descendants=3", busyboxImage, "cat", "/sys/fs/cgroup/cgroup.max.descendants")
	if out != "3\n" {
		t.Errorf("--cgroup-conf cgroup.max.descendants=3: the container reads %q", out)
	}
	if r := e.burrow("run", "--rm", "--cgroup-conf", "cgroup.nosuch=1", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "cgroup.nosuch") {
		t.Errorf("--cgroup-conf of a file the kernel does not have: %s; want 125 naming it", r)
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("a refused --cgroup-conf left a container: %q", out)
	}

	id = strings.TrimSpace(e.ok("run", "-d", "--name", "free", "--cgroups=disabled", busyboxImage, "sleep", "1000"))
	if _, err := os.Stat(filepath.Join(base, "burrow-"+id)); err == nil {
		t.Errorf("--cgroups=disabled: the container got a cgroup")
	}
	pid = strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "free"))
	if cg := readFile("/proc/" + pid + "/cgroup"); strings.Contains(cg, "burrow-"+id) {
		t.Errorf("--cgroups=disabled: PID 1 is in %q", cg)
	}
	if got := e.ok("inspect", "--format", "{{.HostConfig.Cgroups}}", "free"); got != "disabled\n" {
		t.Errorf("HostConfig.Cgroups = %q", got)
	}
	if r := e.burrow("pause", "free"); r.code == 0 {
		t.Errorf("pause of a container without a cgroup succeeded: %s", r)
	}
	e.ok("rm", "-f", "free")
}

// TestCgroupFlagsLimits: podman's finer limits land in the container's
// cgroup files (the VM tier has the controllers).
func TestCgroupFlagsLimits(t *testing.T) {
	skipIsFatal(t) // the VM tier runs it for want of anywhere else
	base := delegatedCgroup(t, "memory", "cpu", "cpuset")
	e := detachedEnv(t)
	for _, tc := range []struct {
		flags []string
		file  string
		want  string
	}{
		{[]string{"--cpu-period", "50000", "--cpu-quota", "25000"}, "cpu.max", "25000 50000"},
		{[]string{"--cpu-quota", "20000"}, "cpu.max", "20000 100000"},
		{[]string{"--cpu-period", "20000"}, "cpu.max", "max 20000"},
		{[]string{"--cpuset-mems", "0"}, "cpuset.mems", "0"},
		{[]string{"--memory-reservation", "32m"}, "memory.low", strconv.Itoa(32 << 20)},
		{[]string{"--memory", "128m", "--cgroup-conf", "memory.high=64m"}, "memory.high", strconv.Itoa(64 << 20)},
		// --cgroup-conf comes last: it overrides a flag's value.
		{[]string{"--memory", "128m", "--cgroup-conf", "memory.max=96m"}, "memory.max", strconv.Itoa(96 << 20)},
	} {
		args := append(append([]string{"run", "-d"}, tc.flags...), busyboxImage, "sleep", "1000")
		id := strings.TrimSpace(e.ok(args...))
		if got := strings.TrimSpace(readFile(filepath.Join(containerCgroupDir(t, base, id), tc.file))); got != tc.want {
			t.Errorf("%v: %s = %q, want %q", tc.flags, tc.file, got, tc.want)
		}
		e.ok("rm", "-f", id)
	}
	if _, err := os.Stat("/dev/vda"); err == nil && strings.Contains(readFile(filepath.Join(base, "cgroup.controllers")), "io") {
		id := strings.TrimSpace(e.ok("run", "-d", "--device-read-iops", "/dev/vda:100", "--device-write-iops", "/dev/vda:50",
			busyboxImage, "sleep", "1000"))
		if got := readFile(filepath.Join(containerCgroupDir(t, base, id), "io.max")); !strings.Contains(got, "riops=100") || !strings.Contains(got, "wiops=50") {
			t.Errorf("--device-read-iops/--device-write-iops: io.max = %q", got)
		}
		e.ok("rm", "-f", id)
	}
}

// TestCgroupFlagsChecked: values burrow cannot honour are refused before
// anything exists, naming the flag; what cgroup v2 has no file for is
// ignored with podman's warning, and the container runs.
func TestCgroupFlagsChecked(t *testing.T) {
	e := detachedEnv(t)
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"--cpus", "1", "--cpu-quota", "50000"}, "--cpus"},
		{[]string{"--cpu-period", "10"}, "--cpu-period"},
		{[]string{"--cpu-quota", "5"}, "--cpu-quota"},
		{[]string{"--memory", "64m", "--memory-reservation", "128m"}, "--memory-reservation"},
		{[]string{"--cgroups", "split"}, "--cgroups"},
		{[]string{"--cgroups", "disabled", "--memory", "64m"}, "--cgroups"},
		{[]string{"--cgroups", "disabled", "--cgroup-parent", "x"}, "--cgroups"},
		{[]string{"--cgroup-parent", "../up"}, "--cgroup-parent"},
		{[]string{"--cgroup-conf", "cgroup.procs=1"}, "--cgroup-conf"},
		{[]string{"--cgroup-conf", "../memory.max=1"}, "--cgroup-conf"},
		{[]string{"--blkio-weight-device", "/dev/null:5"}, "--blkio-weight-device"},
		{[]string{"--device-read-iops", "/dev/null:fast"}, "--device-read-iops"},
		{[]string{"--device-write-iops", "nodevice"}, "--device-write-iops"},
		{[]string{"--memory-swappiness", "101"}, "--memory-swappiness"},
	} {
		args := append(append([]string{"run", "--rm"}, tc.flags...), busyboxImage, "echo", "ran")
		if r := e.burrow(args...); r.code != 125 || !strings.Contains(r.stderr, tc.want) || strings.Contains(r.stdout, "ran") {
			t.Errorf("%v: %s; want exit 125 naming %s, nothing run", tc.flags, r, tc.want)
		}
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("refused runs left containers: %q", out)
	}
	for _, tc := range []struct {
		flags []string
		warn  string
	}{
		{[]string{"--memory-swappiness", "10"}, "--memory-swappiness is ignored"},
		{[]string{"--oom-kill-disable"}, "--oom-kill-disable is ignored"},
		{[]string{"--cpu-rt-runtime", "950000"}, "--cpu-rt-runtime is ignored"},
		{[]string{"--cpu-rt-period", "1000000"}, "--cpu-rt-period is ignored"},
	} {
		args := append(append([]string{"run", "--rm", "--network", "none"}, tc.flags...), busyboxImage, "echo", "ran")
		if r := e.burrow(args...); r.code != 0 || r.stdout != "ran\n" || !strings.Contains(r.stderr, tc.warn) {
			t.Errorf("%v: %s; want the container run and the warning %q", tc.flags, r, tc.warn)
		}
	}
}
