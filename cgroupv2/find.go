package cgroupv2

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/sys/mountinfo"
)

// ErrNoDelegation: the user has no cgroup v2 subtree of its own.
var ErrNoDelegation = errors.New("no delegated cgroup v2 subtree")

// Host names the files the package reads, so tests can use a fake tree.
type Host struct {
	Mountinfo  string // default /proc/self/mountinfo
	SelfCgroup string // default /proc/self/cgroup
}

// Mount returns the cgroup2 mount point.
func (h Host) Mount() (string, error) {
	path := h.Mountinfo
	if path == "" {
		path = "/proc/self/mountinfo"
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	mounts, err := mountinfo.GetMountsFromReader(f, mountinfo.FSTypeFilter("cgroup2"))
	if err != nil {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if len(mounts) == 0 {
		return "", fmt.Errorf("%w: cgroup2 is not mounted", ErrNoDelegation)
	}
	return mounts[0].Mountpoint, nil
}

// Self returns the caller's cgroup v2 path (the "0::" line).
func (h Host) Self() (string, error) {
	path := h.SelfCgroup
	if path == "" {
		path = "/proc/self/cgroup"
	}
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "0::"); ok {
			return rest, nil
		}
	}
	return "", fmt.Errorf("%w: %s has no cgroup v2 entry", ErrNoDelegation, path)
}

// Base is the delegated directory the caller's cgroup is in. A caller in
// burrow's own leaf (where an earlier command moved the processes of the
// delegated directory) belongs to the directory above it.
func (h Host) Base() (string, error) {
	mount, err := h.Mount()
	if err != nil {
		return "", err
	}
	self, err := h.Self()
	if err != nil {
		return "", err
	}
	if filepath.Base(self) == leaf {
		self = filepath.Dir(self)
	}
	return filepath.Join(mount, self), nil
}

func selfPID() int { return os.Getpid() }
