package lifecycle

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/volume"
	"go.podman.io/storage"
)

// Volumes opens the volume store next to the container store.
func Volumes(s storage.Store) (*volume.Store, error) {
	return volume.Open(volume.Root(filepath.Dir(s.GraphRoot())))
}

// VolumeUsers maps each volume name to the containers (names) whose
// records use it, but for the container except (an ID, or ""); the caller
// holds the volume lock so no container is being created with a volume
// meanwhile.
func VolumeUsers(s storage.Store, except string) (map[string][]string, error) {
	ctrs, err := s.Containers()
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	users := map[string][]string{}
	for _, c := range ctrs {
		if c.ID == except {
			continue
		}
		rec := DecodeRecord(c.Metadata)
		for _, v := range rec.Volumes {
			users[v] = append(users[v], rec.Name)
		}
	}
	return users, nil
}

// RemoveAnonymousVolumes deletes the anonymous volumes of a container
// that has stopped for good (rm -v, --rm) unless another container
// (--volumes-from) still uses them; named volumes always stay. id is the
// container's, while its record may still exist: --rm removes the volumes
// before the container, so that a kill in between leaves a container
// that the next command reaps, never a volume nobody knows of.
func RemoveAnonymousVolumes(s storage.Store, id string, rec Record) error {
	if len(rec.Volumes) == 0 {
		return nil
	}
	vs, err := Volumes(s)
	if err != nil {
		return err
	}
	unlock, err := vs.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	users, err := VolumeUsers(s, id)
	if err != nil {
		return err
	}
	var errs []error
	for _, name := range rec.Volumes {
		v, err := vs.Get(name)
		if err != nil || !v.Anonymous || len(users[name]) > 0 {
			continue
		}
		if err := vs.Remove(name); err != nil && !errors.Is(err, errdefs.ErrVolumeUnknown) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// mountTmpfsVolumes mounts the tmpfs volumes of container id before it
// starts: a fresh tmpfs when no running container uses the volume, else
// the one that is there, so that containers using it at once share its
// files. A fresh one gets the image's content from rootfs, the
// container's mounted root (see copyUpTmpfs). It takes the volume lock,
// which the caller must not hold.
func mountTmpfsVolumes(s storage.Store, runRoot, id string, rec Record, rootfs string) error {
	return withTmpfsVolumes(s, rec, func(vols []volume.Volume) error {
		users := runningVolumeUsers(s, runRoot, id)
		for _, v := range vols {
			fresh := users[v.Name] == 0
			if err := volume.MountTmpfs(v, fresh); err != nil {
				return err
			}
			if !fresh {
				continue
			}
			if err := copyUpTmpfs(v, rec.Mounts, rootfs); err != nil {
				return errors.Join(err, volume.UnmountTmpfs(v))
			}
		}
		return nil
	})
}

// copyUpTmpfs fills the freshly mounted, empty tmpfs of volume v as
// docker fills any empty volume when a container starts: with what the
// image has at the first of the container's mounts of v that does not say
// nocopy and whose directory the image has. Only a fresh tmpfs: nobody
// else sees it until this container starts, and a kill leaves a mount
// whose owner is gone, which the next user replaces (and fills again).
// One that others use is theirs, even empty: a copy there would show
// them a part if this command were killed.
func copyUpTmpfs(v volume.Volume, mounts []volume.Mount, rootfs string) error {
	for _, m := range mounts {
		if m.Kind != volume.KindVolume || m.Source != v.Name || m.NoCopy {
			continue
		}
		empty, err := v.Empty()
		if err != nil || !empty {
			return err
		}
		if err := volume.CopyUpTmpfs(v, rootfs, m.Destination); err != nil {
			return err
		}
	}
	return nil
}

// unmountTmpfsVolumes takes away the tmpfs volumes of container id, which
// has stopped, that no other running container uses: their files go with
// the last user, as docker's do.
func unmountTmpfsVolumes(s storage.Store, runRoot, id string, rec Record) error {
	return withTmpfsVolumes(s, rec, func(vols []volume.Volume) error {
		users := runningVolumeUsers(s, runRoot, id)
		var errs []error
		for _, v := range vols {
			if users[v.Name] == 0 {
				errs = append(errs, volume.UnmountTmpfs(v))
			}
		}
		return errors.Join(errs...)
	})
}

// withTmpfsVolumes runs fn under the volume lock with the tmpfs volumes
// of rec, if it has any; a container without one takes no lock.
func withTmpfsVolumes(s storage.Store, rec Record, fn func([]volume.Volume) error) error {
	if len(rec.Volumes) == 0 {
		return nil
	}
	vs, err := Volumes(s)
	if err != nil {
		return err
	}
	var vols []volume.Volume
	for i, name := range rec.Volumes {
		if slices.Contains(rec.Volumes[:i], name) {
			continue // mounted at two places: one tmpfs still
		}
		// A volume's options never change, so they may be read unlocked;
		// one removed meanwhile has nothing mounted.
		if v, err := vs.Get(name); err == nil && v.IsTmpfs() {
			vols = append(vols, v)
		}
	}
	if len(vols) == 0 {
		return nil
	}
	unlock, err := vs.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	return fn(vols)
}

// runningVolumeUsers counts, per volume, the containers other than except
// that run or are starting: their owner (a foreground burrow or a
// monitor) lives. One whose owner was killed counts no more, so its
// volumes are unmounted by the reaper or mounted afresh by the next user.
func runningVolumeUsers(s storage.Store, runRoot, except string) map[string]int {
	users := map[string]int{}
	for _, id := range ctrstate.IDs(runRoot) {
		if id == except {
			continue
		}
		if st, ok := ctrstate.Read(runRoot, id); !ok || !st.OwnerAlive() {
			continue
		}
		ctr, err := s.Container(id)
		if err != nil {
			continue
		}
		for _, v := range DecodeRecord(ctr.Metadata).Volumes {
			users[v]++
		}
	}
	return users
}
