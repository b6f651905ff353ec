package lifecycle

import (
	"errors"
	"fmt"
	"github.com/burrow/burrow/bridge"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/network/backends"
	"golang.org/x/sys/unix"
)

// RepairNetwork removes the network state directories ($RUNROOT/net/ID12)
// of containers that no live burrow owns, with pasta's namespace bind
// mount: a killed owner never unmounts it, and the mount (which keeps the
// namespace alive) stays in the holder's mount namespace for good.
func RepairNetwork(runRoot string) error {
	bridge.Repair(runRoot)
	dir := filepath.Dir(network.StateDir(runRoot, "x"))
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return nil
	}
	var errs []error
	for _, en := range entries {
		if ownedNetwork(runRoot, en.Name()) {
			continue
		}
		if err := removeNetState(filepath.Join(dir, en.Name())); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ownedNetwork reports whether a live burrow owns the container whose ID
// starts with id12. An owner writes its state before it makes the
// directory, so a directory without one is a dead owner's.
func ownedNetwork(runRoot, id12 string) bool {
	for _, id := range ctrstate.IDs(runRoot) {
		if !strings.HasPrefix(id, id12) {
			continue
		}
		if st, ok := ctrstate.Read(runRoot, id); ok && st.OwnerAlive() {
			return true
		}
	}
	return false
}

// removeNetState unmounts every namespace bind stacked on the directory's
// netns file (a restart over a stale one binds again on top) and deletes it.
func removeNetState(dir string) error {
	ns := filepath.Join(dir, "netns")
	for i := 0; i < 64; i++ {
		if err := unix.Unmount(ns, unix.MNT_DETACH); err != nil {
			break // EINVAL: no longer a mount point; ENOENT: no file
		}
	}
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("remove the network state of a container whose burrow was killed: %w", err)
	}
	return nil
}

// networkHook is what connects a container of this record as its init
// starts, and disconnects it after.
func networkHook(runRoot, id string, rec Record) (func(pid int) (func() error, error), func(), error) {
	m := network.MustParse(rec.Network)
	backend, err := backends.For(m)
	if err != nil {
		return nil, nil, err
	}
	connect, disconnect := network.Hook(backend, m, network.Request{ID: id, Name: rec.Name, Ports: rec.Ports,
		StateDir: network.StateDir(runRoot, id), RunRoot: runRoot, Networks: rec.Networks})
	return connect, disconnect, nil
}
