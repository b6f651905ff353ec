package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Cache mounts (RUN --mount=type=cache) live under buildCacheRoot, one
// directory per id, and are shared between builds as their sharing mode
// says; an flock on the directory itself holds it. A build holds a shared
// lock ("shared") or an exclusive one ("locked", waiting for the others);
// "private" takes the directory only if no one else holds it, else a
// fresh empty one that is thrown away after the step. Pruning takes the
// exclusive lock without waiting, so a cache in use is never removed.

// Cache sharing modes, as buildkit names them.
const (
	SharingShared  = "shared"
	SharingLocked  = "locked"
	SharingPrivate = "private"
)

func (e *Engine) buildCacheRoot() string { return filepath.Join(e.paths.Data, "build-cache") }

// cacheMount is a cache directory held for one step; release unlocks it
// (and removes a private stand-in).
type cacheMount struct {
	id, dir string
	release func()
}

// holdCache finds or makes the cache directory of m and locks it as its
// sharing mode says.
func (e *Engine) holdCache(m StepMount) (cacheMount, error) {
	sum := sha256.Sum256([]byte(m.CacheID))
	dir := filepath.Join(e.buildCacheRoot(), hex.EncodeToString(sum[:16]))
	how := unix.LOCK_SH
	switch m.Sharing {
	case SharingLocked:
		how = unix.LOCK_EX
	case SharingPrivate:
		how = unix.LOCK_EX | unix.LOCK_NB
	}
	// A prune may remove the directory between its creation and the
	// lock: then the lock is on a removed directory; make it again.
	for range 8 {
		if err := e.makeCacheDir(dir, m); err != nil {
			return cacheMount{}, err
		}
		f, err := os.Open(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return cacheMount{}, fmt.Errorf("build cache %s: %w", m.CacheID, err)
		}
		err = flock(f, how)
		if errors.Is(err, unix.EWOULDBLOCK) {
			f.Close()
			return e.privateCache(m)
		}
		if err != nil {
			f.Close()
			return cacheMount{}, fmt.Errorf("lock build cache %s: %w", m.CacheID, err)
		}
		if sameDir(f, dir) {
			return cacheMount{id: m.CacheID, dir: dir, release: func() { f.Close() }}, nil
		}
		f.Close()
	}
	return cacheMount{}, fmt.Errorf("build cache %s: removed again and again while in use", m.CacheID)
}

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

func sameDir(f *os.File, dir string) bool {
	a, err1 := f.Stat()
	b, err2 := os.Stat(dir)
	return err1 == nil && err2 == nil && os.SameFile(a, b)
}

// privateCache is the empty stand-in a "private" cache mount gets while
// another build holds the cache; it is in the session's temporary
// directory, which the next command clears should this one be killed.
func (e *Engine) privateCache(m StepMount) (cacheMount, error) {
	parent, err := os.MkdirTemp("", "cache-")
	if err != nil {
		return cacheMount{}, fmt.Errorf("build cache %s: %w", m.CacheID, err)
	}
	dir := filepath.Join(parent, "dir")
	if err := e.makeCacheDir(dir, m); err != nil {
		os.RemoveAll(parent)
		return cacheMount{}, err
	}
	return cacheMount{id: m.CacheID, dir: dir, release: func() { os.RemoveAll(parent) }}, nil
}

// makeCacheDir makes dir, if missing, with the mount's owner and mode:
// made aside and renamed, so no build sees it half set up.
func (e *Engine) makeCacheDir(dir string, m StepMount) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".new-")
	if err != nil {
		return fmt.Errorf("build cache: %w", err)
	}
	mode := os.FileMode(0o755)
	if m.Mode != nil {
		mode = os.FileMode(*m.Mode)
	}
	err = os.Chmod(tmp, mode)
	if err == nil && m.Owner != nil {
		err = os.Lchown(tmp, m.Owner.UID, m.Owner.GID)
	}
	if err == nil {
		err = os.Rename(tmp, dir)
	}
	if err != nil {
		os.Remove(tmp)
		if _, serr := os.Stat(dir); serr == nil {
			return nil // another build made it first
		}
		return fmt.Errorf("build cache %s: %w", m.CacheID, err)
	}
	return nil
}

// PruneBuildCache removes the cache mount directories no build is using
// and returns how many bytes that freed; a cache in use is left alone.
func (e *Engine) PruneBuildCache() (removed int, freed int64, err error) {
	root := e.buildCacheRoot()
	entries, err := os.ReadDir(root)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("build cache: %w", err)
	}
	for _, ent := range entries {
		dir := filepath.Join(root, ent.Name())
		f, err := os.Open(dir)
		if err != nil {
			continue
		}
		if flock(f, unix.LOCK_EX|unix.LOCK_NB) == nil {
			size := diskUsage(dir)
			if err := os.RemoveAll(dir); err != nil {
				f.Close()
				return removed, freed, fmt.Errorf("remove build cache %s: %w", ent.Name(), err)
			}
			removed++
			freed += size
		}
		f.Close()
	}
	return removed, freed, nil
}

func diskUsage(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}
