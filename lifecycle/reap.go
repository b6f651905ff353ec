package lifecycle

import (
	"errors"
	"fmt"
	"syscall"
	"time"

	"github.com/burrow/burrow/atomicfile"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	"go.podman.io/storage"
)

// Reap finishes what killed burrow commands left behind: a container
// whose owner died is unmounted, and removed when it was started with
// --rm. It is cheap when nothing is left over (one directory read).
func Reap(s storage.Store, runRoot string) error {
	var errs []error
	atomicfile.RemoveStale(ctrstate.Dir(runRoot))
	pruneExits(runRoot)
	health.RemoveStale(runRoot, func(id string) bool {
		st, ok := ctrstate.Read(runRoot, id)
		return ok && st.OwnerAlive()
	})
	for _, id := range ctrstate.IDs(runRoot) {
		if err := reapOne(s, runRoot, id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func reapOne(s storage.Store, runRoot, id string) error {
	st, ok := ctrstate.Read(runRoot, id)
	if ok && st.OwnerAlive() {
		return nil
	}
	if ctr, err := s.Container(id); err == nil {
		if err := unmountTmpfsVolumes(s, runRoot, id, DecodeRecord(ctr.Metadata)); err != nil {
			return fmt.Errorf("unmount volumes of container %s after its burrow was killed: %w", id[:12], err)
		}
	}
	if st.AutoRemove {
		if ctr, err := s.Container(id); err == nil {
			if err := RemoveAnonymousVolumes(s, id, DecodeRecord(ctr.Metadata)); err != nil {
				return fmt.Errorf("remove volumes of container %s after its burrow was killed: %w", id[:12], err)
			}
		}
	}
	if err := release(s, id, st.AutoRemove); err != nil {
		return fmt.Errorf("clean up container %s after its burrow was killed: %w", id[:12], err)
	}
	if !st.AutoRemove && st.Pid != 0 {
		recordKilled(s, id, st)
	}
	return ctrstate.Remove(runRoot, id)
}

// ownState makes the calling process the container's owner.
func ownState(runRoot, id string, autoRemove bool) error {
	st, err := ctrstate.Own(autoRemove)
	if err != nil {
		return err
	}
	return ctrstate.Write(runRoot, id, st)
}

// release unmounts the container's root and, for --rm, deletes it.
func release(s storage.Store, id string, remove bool) error {
	if dir := cgroupOf(s, id); dir != "" {
		if err := cgroupv2.Remove(dir); err != nil {
			return err
		}
	}
	if !remove {
		if _, err := s.Unmount(id, true); err != nil && !errors.Is(err, storage.ErrContainerUnknown) && !errors.Is(err, storage.ErrLayerUnknown) {
			return fmt.Errorf("unmount: %w", err)
		}
		return nil
	}
	if err := unmountShmDir(s, id); err != nil {
		return err
	}
	// Deleting unmounts too; a separate unmount would cost one more store write.
	if err := s.DeleteContainer(id); err != nil && !errors.Is(err, storage.ErrContainerUnknown) && !errors.Is(err, storage.ErrNotAContainer) {
		return fmt.Errorf("remove: %w", err)
	}
	return nil
}

// recordKilled marks a container that was running when its owner died as
// exited by SIGKILL: that is what took it (the parent-death signal).
func recordKilled(s storage.Store, id string, st ctrstate.State) {
	ctr, err := s.Container(id)
	if err != nil {
		return
	}
	rec := DecodeRecord(ctr.Metadata)
	rec.ExitCode, rec.Finished = errdefs.ExitSignalShift+int(syscall.SIGKILL), time.Now().UTC()
	rec.Started, rec.RestartCount = st.Started, st.RestartCount
	if meta, err := rec.encode(); err == nil {
		_ = s.SetMetadata(id, meta)
	}
}

// cgroupOf is the container's cgroup directory, from its saved spec.
func cgroupOf(s storage.Store, id string) string {
	spec, err := loadSpec(s, id)
	if err != nil || spec.Linux == nil {
		return ""
	}
	return spec.Linux.CgroupsPath
}
