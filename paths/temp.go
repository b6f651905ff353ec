package paths

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// TempDir is where burrow's commands keep their temporary files (spooled
// archives, commit diffs, containers/image's staging): under the data
// directory, on the store's file system, and where the next command can
// find what a killed one left.
func TempDir(p Paths) string { return filepath.Join(p.Data, "tmp") }

// SessionTemp makes this process's own directory under dir and holds a
// lock on it until the process exits, however it exits: RemoveStaleTemp
// tells a live command's directory from a dead one's by that lock alone.
func SessionTemp(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create %s: %w", dir, err)
	}
	var tmp string
	fd := -1
	// Until it is locked, a new directory looks stale to a concurrent
	// command; RemoveStaleTemp spares directories of live PIDs, and a
	// directory removed anyway is made again.
	for try := 0; fd < 0; try++ {
		var err error
		if tmp, err = os.MkdirTemp(dir, fmt.Sprintf("%d-", os.Getpid())); err != nil {
			return "", fmt.Errorf("temporary directory: %w", err)
		}
		// A raw descriptor, never closed: an *os.File would be closed when
		// collected, and the lock with it.
		fd, err = unix.Open(tmp, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil && (try == 4 || !errors.Is(err, unix.ENOENT)) {
			return "", fmt.Errorf("open temporary directory %s: %w", tmp, err)
		}
	}
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		unix.Close(fd)
		return "", fmt.Errorf("lock temporary directory %s: %w", tmp, err)
	}
	return tmp, nil
}

// EndSessionTemp removes this process's directory.
func EndSessionTemp(tmp string) {
	_ = os.RemoveAll(tmp)
}

// RemoveStaleTemp removes the directories under dir whose command is gone.
func RemoveStaleTemp(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("read %s: %w", dir, err)
	}
	var errs []error
	for _, en := range entries {
		path := filepath.Join(dir, en.Name())
		if !en.IsDir() || ownerAlive(en.Name()) || !unlocked(path) {
			continue
		}
		if err := os.RemoveAll(path); err != nil {
			errs = append(errs, fmt.Errorf("remove temporary files of a killed command: %w", err))
		}
	}
	return errors.Join(errs...)
}

// unlocked reports whether no process holds path's lock. The probe's own
// lock goes with the descriptor.
func unlocked(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil
}

// ownerAlive reports whether the PID a directory is named after
// ("PID-random") still runs: it may be between creating and locking it.
func ownerAlive(name string) bool {
	pid, err := strconv.Atoi(strings.SplitN(name, "-", 2)[0])
	if err != nil || pid <= 0 {
		return false
	}
	err = unix.Kill(pid, 0)
	return err == nil || errors.Is(err, unix.EPERM)
}
