package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// A command that creates layers (load, import, pull, commit, run, create)
// holds writersLock shared while it does, and leaves a file in pendingDir
// that only a repair removes. A killed one leaves its file behind: the
// next command then looks for layers that no image or container uses (a
// layer is complete before the image that names it is recorded, so a kill
// in between leaks it), and deletes them, but only while it holds the
// lock exclusively, so never a layer that a live command has just written
// or is about to reuse.
const (
	writersLock = "layers.lock"
	pendingDir  = "layers-pending"
)

// BeginLayerWrites marks this command as one that creates layers, until
// end is called or the process exits.
func BeginLayerWrites(runRoot string) (end func(), err error) {
	lock, err := os.OpenFile(filepath.Join(runRoot, writersLock), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open the layer writers' lock: %w", err)
	}
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_SH); err != nil {
		lock.Close()
		return nil, fmt.Errorf("lock the layer writers' lock: %w", err)
	}
	dir := filepath.Join(runRoot, pendingDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		lock.Close()
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	mark, err := os.CreateTemp(dir, "w-")
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("mark layer writes: %w", err)
	}
	mark.Close()
	return func() {
		_ = os.Remove(mark.Name())
		lock.Close()
	}, nil
}

// RepairLayers deletes the layers that killed commands left unused. It
// costs one directory read when no command was killed while writing.
func RepairLayers(s storage.Store, runRoot string) error {
	dir := filepath.Join(runRoot, pendingDir)
	marks, err := os.ReadDir(dir)
	if err != nil || len(marks) == 0 {
		return nil
	}
	lock, err := os.OpenFile(filepath.Join(runRoot, writersLock), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return fmt.Errorf("open the layer writers' lock: %w", err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		return nil // a writer is alive; a later command repairs
	}
	if err := deleteUnused(s); err != nil {
		return fmt.Errorf("delete layers that killed commands left: %w", err)
	}
	// Every mark is stale now: no writer holds the lock.
	for _, m := range marks {
		_ = os.Remove(filepath.Join(dir, m.Name()))
	}
	return nil
}

// deleteUnused deletes every layer that is not in the chain of an image or
// a container, children first (the store refuses a layer with children).
func deleteUnused(s storage.Store) error {
	used, err := usedLayers(s)
	if err != nil {
		return err
	}
	for {
		layers, err := s.Layers()
		if err != nil {
			return err
		}
		parents := map[string]bool{}
		for _, l := range layers {
			parents[l.Parent] = true
		}
		deleted := 0
		var errs []error
		for _, l := range layers {
			if used[l.ID] || parents[l.ID] {
				continue
			}
			if err := s.DeleteLayer(l.ID); err != nil && !errors.Is(err, storage.ErrLayerUnknown) {
				errs = append(errs, fmt.Errorf("layer %s: %w", l.ID, err))
				continue
			}
			deleted++
		}
		if deleted == 0 {
			return errors.Join(errs...)
		}
	}
}

// usedLayers is every layer an image or a container stands on.
func usedLayers(s storage.Store) (map[string]bool, error) {
	layers, err := s.Layers()
	if err != nil {
		return nil, err
	}
	parent := map[string]string{}
	for _, l := range layers {
		parent[l.ID] = l.Parent
	}
	used := map[string]bool{}
	mark := func(id string) {
		for ; id != "" && !used[id]; id = parent[id] {
			used[id] = true
		}
	}
	images, err := s.Images()
	if err != nil {
		return nil, err
	}
	for _, img := range images {
		mark(img.TopLayer)
		for _, id := range img.MappedTopLayers {
			mark(id)
		}
	}
	containers, err := s.Containers()
	if err != nil {
		return nil, err
	}
	for _, c := range containers {
		mark(c.LayerID)
	}
	return used, nil
}
