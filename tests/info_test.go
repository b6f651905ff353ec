package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestInfo: info --format json describes this host and this burrow home,
// each field checked against the host itself; the text form and a
// template say the same.
func TestInfo(t *testing.T) {
	e := newEnv(t)
	r := e.burrow("info", "--format", "json")
	if r.code != 0 {
		t.Fatalf("info --format json: %s", r)
	}
	var info struct {
		Kernel, StorageDriver, GraphRoot, RunRoot, UIDMap, GIDMap string
		Cgroup                                                    struct {
			Manager, Dir, Fix    string
			Controllers, Missing []string
		}
		Helpers []struct{ Name, Path, Version, Missing string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatalf("info --format json is not JSON: %v\n%s", err, r.stdout)
	}
	release, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Fatal(err)
	}
	if info.Kernel != strings.TrimSpace(string(release)) {
		t.Errorf("kernel %q, want %q", info.Kernel, strings.TrimSpace(string(release)))
	}
	if !strings.HasPrefix(info.GraphRoot, filepath.Join(e.dir, "data")+"/") || !strings.HasPrefix(info.RunRoot, filepath.Join(e.dir, "run")+"/") {
		t.Errorf("graph root %q, run root %q: want them under this home's XDG_DATA_HOME and XDG_RUNTIME_DIR (%s)", info.GraphRoot, info.RunRoot, e.dir)
	}
	if info.StorageDriver == "" {
		t.Error("no storage driver")
	}
	// Container 0 is the user; a user with subordinate IDs has them next.
	uid := itoa(os.Getuid())
	if !strings.HasPrefix(info.UIDMap, "0:"+uid+":1") {
		t.Errorf("uid map %q: want 0 mapped to %s first (0:%s:1)", info.UIDMap, uid, uid)
	}
	if ranges := subordinateRanges(t); ranges != "" {
		f := strings.Split(ranges, ":")
		if len(f) != 3 || !strings.Contains(info.UIDMap, ",1:"+f[1]+":"+f[2]) {
			t.Errorf("uid map %q lacks the subordinate range %s at container ID 1", info.UIDMap, ranges)
		}
	}
	var names []string
	for _, h := range info.Helpers {
		names = append(names, h.Name)
		path, err := exec.LookPath(h.Name)
		switch {
		case err != nil && (h.Path != "" || !strings.Contains(h.Missing, "apt-get install")):
			t.Errorf("helper %s is not installed, info says %+v; want how to install it", h.Name, h)
		case err == nil && h.Path != path:
			t.Errorf("helper %s is %s, info says %+v", h.Name, path, h)
		}
	}
	if want := []string{"newuidmap", "newgidmap", "fuse-overlayfs", "slirp4netns", "pasta"}; !slices.Equal(names, want) {
		t.Errorf("helpers %v, want %v", names, want)
	}
	switch info.Cgroup.Manager {
	case "cgroupfs":
		dir, ok := ownCgroup()
		if !ok || info.Cgroup.Dir != dir {
			t.Errorf("cgroupfs manager at %q, want this process's cgroup %q", info.Cgroup.Dir, dir)
		}
		have := strings.Fields(readFile(filepath.Join(dir, "cgroup.controllers")))
		for _, c := range []string{"cpu", "cpuset", "io", "memory", "pids"} {
			if slices.Contains(have, c) == slices.Contains(info.Cgroup.Missing, c) {
				t.Errorf("controller %s: delegated %v, info's missing list %v", c, slices.Contains(have, c), info.Cgroup.Missing)
			}
		}
	case "none":
		if len(info.Cgroup.Missing) != 5 || info.Cgroup.Fix == "" {
			t.Errorf("no cgroup manager: want all five controllers missing and a fix, got %+v", info.Cgroup)
		}
	case "systemd":
	default:
		t.Errorf("cgroup manager %q", info.Cgroup.Manager)
	}
	text := e.ok("info")
	for _, want := range []string{"kernel:          " + info.Kernel, "storage driver:  " + info.StorageDriver,
		"graph root:      " + info.GraphRoot, "cgroup manager:  " + info.Cgroup.Manager} {
		if !strings.Contains(text, want+"\n") && !strings.Contains(text, want+" ") {
			t.Errorf("info text lacks %q:\n%s", want, text)
		}
	}
	if out := e.ok("info", "--format", "{{.StorageDriver}}"); out != info.StorageDriver+"\n" {
		t.Errorf("info --format {{.StorageDriver}}: %q, want %q", out, info.StorageDriver)
	}
}
