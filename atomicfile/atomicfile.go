// Package atomicfile writes small state files (records, choices, caches)
// so that a reader sees the old content or the new, never a part of
// either, even when the writer is killed or the machine stops: the data
// goes to a temporary file beside the target, is synced, renamed over it,
// and the directory is synced. Not for logs or anything appended to.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Write replaces path with data.
func Write(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	// The writer's PID in the name lets RemoveStale tell a killed
	// writer's leftover from a write in progress.
	tmp, err := os.CreateTemp(dir, fmt.Sprintf(".%s.%d-*.tmp", filepath.Base(path), os.Getpid()))
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up after a failure
	if err := writeSynced(tmp, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

func writeSynced(f *os.File, data []byte, perm os.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		err = f.Chmod(perm)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// RemoveStale removes the temporary files in dir that writers killed
// mid-write left behind (their process is gone).
func RemoveStale(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, ".") || !strings.HasSuffix(name, ".tmp") {
			continue
		}
		head, _, ok := strings.Cut(strings.TrimSuffix(name, ".tmp"), "-")
		if !ok {
			continue
		}
		pid, err := strconv.Atoi(head[strings.LastIndex(head, ".")+1:])
		if err != nil || pid <= 0 || unix.Kill(pid, 0) != unix.ESRCH {
			continue
		}
		_ = os.Remove(filepath.Join(dir, name))
	}
}
