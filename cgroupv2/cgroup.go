package cgroupv2

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/errdefs"
)

// Create makes the container's cgroup under the delegation with its limits
// (refusing limits whose controllers are not delegated, with the fix).
func Create(d Delegation, id string, l Limits) (string, error) {
	needed := l.Controllers()
	if missing := d.Missing(needed); len(missing) > 0 {
		return "", fmt.Errorf("%w: controller(s) %s are not delegated to %s; %s",
			ErrNoDelegation, strings.Join(missing, ", "), d.Dir, DelegationFix)
	}
	if err := d.enable(needed); err != nil {
		return "", err
	}
	rel, err := CleanParent(l.Parent, d.treePath())
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(rel) {
		return "", fmt.Errorf("%w: --cgroup-parent %s: %s is not in the cgroup2 mount; give a relative path", errdefs.ErrInvalidArgument, l.Parent, d.Dir)
	}
	parent, err := d.parent(rel, needed)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(parent, "burrow-"+id)
	if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("create cgroup %s: %w", dir, err)
	}
	if err := Apply(dir, l); err != nil {
		_ = os.Remove(dir)
		return "", err
	}
	return dir, nil
}

// parent makes the --cgroup-parent directories below d.Dir (a parent
// another container made is shared, and stays, as podman leaves it), each
// passing the controllers on to its children.
func (d Delegation) parent(rel string, controllers []string) (string, error) {
	dir := d.Dir
	if rel == "" {
		return dir, nil
	}
	for _, part := range strings.Split(rel, "/") {
		dir = filepath.Join(dir, part)
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("--cgroup-parent: create %s: %w", dir, err)
		}
		if err := (Delegation{Dir: dir}).enable(controllers); err != nil {
			return "", fmt.Errorf("--cgroup-parent: %w", err)
		}
	}
	return dir, nil
}

// treePath is d.Dir as a path in the cgroup tree (below the cgroup2 mount).
func (d Delegation) treePath() string {
	mount, err := Host{}.Mount()
	if err != nil {
		return ""
	}
	rel, err := filepath.Rel(mount, d.Dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.Join("/", rel)
}

// CleanParent checks a --cgroup-parent value and makes it relative to
// the delegated directory: a relative path already is; an absolute one (a
// path in the cgroup tree, as podman takes it) must lie inside base, the
// delegated directory's own path in that tree ("" when not known yet:
// then only the form is checked).
func CleanParent(parent, base string) (string, error) {
	if parent == "" {
		return "", nil
	}
	clean := filepath.Clean(parent)
	if filepath.IsAbs(clean) {
		if base == "" {
			return clean, nil
		}
		rel, err := filepath.Rel(base, clean)
		if err != nil || rel == "." || rel == ".." || strings.HasPrefix(rel, "../") {
			return "", fmt.Errorf("%w: --cgroup-parent %s is not below your delegated cgroup %s; give a path inside it, or a relative one",
				errdefs.ErrInvalidArgument, parent, base)
		}
		clean = rel
	}
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("%w: --cgroup-parent %s: want a cgroup below your delegated one", errdefs.ErrInvalidArgument, parent)
	}
	if slices.Contains(strings.Split(clean, "/"), leaf) {
		return "", fmt.Errorf("%w: --cgroup-parent %s: %s is burrow's own leaf", errdefs.ErrInvalidArgument, parent, leaf)
	}
	return clean, nil
}

// Freeze stops (or thaws) every process in the cgroup and waits until the
// kernel says so.
func Freeze(dir string, frozen bool) error {
	v, want := "0", int64(0)
	if frozen {
		v, want = "1", 1
	}
	if err := os.WriteFile(filepath.Join(dir, "cgroup.freeze"), []byte(v), 0); err != nil {
		return fmt.Errorf("freeze %s: %w", dir, err)
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if events, err := readKeyed(filepath.Join(dir, "cgroup.events")); err == nil && events["frozen"] == want {
			return nil
		}
	}
	return fmt.Errorf("cgroup %s did not reach frozen=%s", dir, v)
}

// Remove kills what is left in the cgroup (cgroup.kill, kernel 5.14+, else
// SIGKILL to each member) and deletes it.
func Remove(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "cgroup.kill"), []byte("1"), 0); err != nil {
		killMembers(dir)
	}
	var err error
	for i := 0; i < 100; i++ {
		if err = os.Remove(dir); err == nil || errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("remove cgroup %s: %w", dir, err)
}

func killMembers(dir string) {
	data, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
	for _, f := range strings.Fields(string(data)) {
		if pid, err := strconv.Atoi(f); err == nil {
			p, _ := os.FindProcess(pid)
			_ = p.Kill()
		}
	}
}

// OOMKilled reports whether the kernel's OOM killer ended a process here.
func OOMKilled(dir string) bool {
	events, err := readKeyed(filepath.Join(dir, "memory.events"))
	return err == nil && events["oom_kill"] > 0
}

// Stats is what `burrow stats` shows.
type Stats struct {
	CPUUsec     int64
	MemoryBytes int64
	MemoryLimit int64 // 0: no limit
	Pids        int64
	ReadBytes   int64
	WriteBytes  int64
}

// Read collects the cgroup's counters; a missing controller leaves zeros.
func Read(dir string) Stats {
	var s Stats
	if cpu, err := readKeyed(filepath.Join(dir, "cpu.stat")); err == nil {
		s.CPUUsec = cpu["usage_usec"]
	}
	s.MemoryBytes = readInt(filepath.Join(dir, "memory.current"))
	s.MemoryLimit = readInt(filepath.Join(dir, "memory.max"))
	s.Pids = readInt(filepath.Join(dir, "pids.current"))
	if data, err := os.ReadFile(filepath.Join(dir, "io.stat")); err == nil {
		for _, f := range strings.Fields(string(data)) {
			if v, ok := strings.CutPrefix(f, "rbytes="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				s.ReadBytes += n
			} else if v, ok := strings.CutPrefix(f, "wbytes="); ok {
				n, _ := strconv.ParseInt(v, 10, 64)
				s.WriteBytes += n
			}
		}
	}
	return s
}

func readInt(path string) int64 {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64) // "max" reads as 0: no limit
	return n
}

// Frozen reports whether the cgroup is frozen (paused) now.
func Frozen(dir string) bool {
	events, err := readKeyed(filepath.Join(dir, "cgroup.events"))
	return err == nil && events["frozen"] == 1
}

func readKeyed(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), " ")
		if ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			out[k] = n
		}
	}
	return out, sc.Err()
}
