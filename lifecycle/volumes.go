package lifecycle

import (
	"errors"
	"fmt"
	"path/filepath"

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
