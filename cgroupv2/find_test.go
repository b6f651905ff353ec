package cgroupv2

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBase(t *testing.T) {
	dir := t.TempDir()
	mountinfo := filepath.Join(dir, "mountinfo")
	// A hybrid host: cgroup2 is not at /sys/fs/cgroup.
	if err := os.WriteFile(mountinfo, []byte(
		"30 23 0:26 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n"+
			"35 30 0:30 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw\n"+
			"36 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for self, want := range map[string]string{
		"/user.slice/a.scope":              "/sys/fs/cgroup/unified/user.slice/a.scope",
		"/user.slice/a.scope/burrow-procs": "/sys/fs/cgroup/unified/user.slice/a.scope",
	} {
		cg := filepath.Join(dir, "cgroup")
		if err := os.WriteFile(cg, []byte("4:memory:/x\n0::"+self+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := Host{Mountinfo: mountinfo, SelfCgroup: cg}.Base()
		if err != nil || got != want {
			t.Errorf("Base for %s = %q, %v; want %q", self, got, err, want)
		}
	}
}

func TestLimitFiles(t *testing.T) {
	l := Limits{Memory: 64 << 20, MemorySwap: 96 << 20, CPUs: 1.5, CPUShares: 512, PidsLimit: 100, CpusetCPUs: "0"}
	files, err := l.files()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"memory.max": "67108864", "memory.swap.max": "33554432", "cpu.max": "150000 100000",
		"cpu.weight": "20", "pids.max": "100", "cpuset.cpus": "0",
	}
	for k, v := range want {
		if files[k] != v {
			t.Errorf("%s = %q, want %q", k, files[k], v)
		}
	}
	if _, err := (Limits{Memory: 64 << 20, MemorySwap: 32 << 20}).files(); err == nil {
		t.Error("memory-swap below memory accepted")
	}
	if got := (Limits{Memory: 1, PidsLimit: 1, CPUs: 1}).Controllers(); len(got) != 3 {
		t.Errorf("controllers %v", got)
	}
}

func TestCreateFreezeRemoveFakeTree(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"cgroup.procs": "123\n", "cgroup.subtree_control": "", "cgroup.controllers": "memory pids",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Delegated(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Create(d, "abc", Limits{CPUs: 1}); err == nil {
		t.Fatal("cpu limit accepted without the cpu controller")
	}
	// A real cgroupfs creates the interface files itself; a plain directory
	// needs the one Apply writes to exist only as a file it can create.
	path, err := Create(d, "abc", Limits{PidsLimit: 5})
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(path, "pids.max")); string(data) != "5" {
		t.Errorf("pids.max = %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control")); string(data) != "+pids" {
		t.Errorf("subtree_control = %q, want +pids", data)
	}
	if _, err := os.Stat(filepath.Join(dir, leaf, "cgroup.procs")); err != nil {
		t.Errorf("processes were not moved to the leaf: %v", err)
	}
}
