package tests

import (
	"strings"
	"testing"
)

// TestCgroupPlacementSeenInside: a container with a cgroup of its own sees
// it at /sys/fs/cgroup, read-only, with itself in it, as runtimes that size
// themselves from it expect.
func TestCgroupPlacementSeenInside(t *testing.T) {
	delegatedCgroup(t)
	e := detachedEnv(t)
	// /proc/self/cgroup's v2 line (hybrid hosts list v1 hierarchies too).
	out := e.ok("run", "--rm", "--network", "none", busyboxImage, "sh", "-c",
		"grep ' /sys/fs/cgroup ' /proc/self/mounts; grep '^0::' /proc/self/cgroup; grep -c . /sys/fs/cgroup/cgroup.procs; touch /sys/fs/cgroup/x 2>&1; true")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "cgroup2 /sys/fs/cgroup cgroup2 ro,") || lines[1] != "0::/" ||
		lines[2] == "0" || !strings.Contains(lines[3], "Read-only file system") {
		t.Errorf("want the container's own cgroup2 read-only at /sys/fs/cgroup, its root '/', its processes in it, no writes; got:\n%s", out)
	}
}

// TestCgroupLimitsSeenInside: the limits are what the container reads
// (the VM tier has the controllers).
func TestCgroupLimitsSeenInside(t *testing.T) {
	skipIsFatal(t)
	delegatedCgroup(t, "memory", "cpu")
	e := detachedEnv(t)
	out := e.ok("run", "--rm", "--network", "none", "--memory", "64m", "--cpus", "0.5", busyboxImage, "sh", "-c",
		"cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max")
	if out != "67108864\n50000 100000\n" {
		t.Errorf("memory.max and cpu.max inside: %q, want 67108864 and 50000 100000", out)
	}
}

// TestCgroupPlacementPauseShown: pause freezes the cgroup, and every verb
// reports docker's "paused" until unpause.
func TestCgroupPlacementPauseShown(t *testing.T) {
	base := delegatedCgroup(t)
	e := detachedEnv(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "p", "--network", "none", busyboxImage, "sleep", "1000"))
	e.ok("pause", "p")
	if events := readFile(containerCgroupDir(t, base, id) + "/cgroup.events"); !strings.Contains(events, "frozen 1") {
		t.Errorf("paused, but cgroup.events says:\n%s", events)
	}
	if out := e.ok("inspect", "--format", "{{.State.Status}} {{.State.Running}} {{.State.Paused}}", "p"); out != "paused true true\n" {
		t.Errorf("inspect of a paused container: %q", out)
	}
	if out := e.ok("ps", "--format", "{{.State}} {{.Status}}"); !strings.HasPrefix(out, "paused Up ") || !strings.Contains(out, "(Paused)") {
		t.Errorf("ps of a paused container: %q", out)
	}
	e.ok("unpause", "p")
	if out := e.ok("inspect", "--format", "{{.State.Status}} {{.State.Paused}}", "p"); out != "running false\n" {
		t.Errorf("inspect after unpause: %q", out)
	}
}
