package lifecycle

import (
	"fmt"
	"path/filepath"

	"github.com/burrow/burrow/ctrstate"
	"go.podman.io/storage"
)

// lockName is the container's lock file in its storage directory, so it
// goes when the container does.
const lockName = "burrow.lock"

// LockPath is where id's lock lives.
func LockPath(s storage.Store, id string) (string, error) {
	dir, err := s.ContainerDirectory(id)
	if err != nil {
		return "", fmt.Errorf("container %s: %w", id, err)
	}
	return filepath.Join(dir, lockName), nil
}

// LockContainer holds id's lock. Whatever decides which networks a
// container joins takes it: start until the container runs (its networks
// read and joined), network connect and disconnect while they read the
// record, join a running container and write the record. Without it a
// connect could land between a start's reading of the networks and the
// container's running, and be recorded but never joined.
func LockContainer(s storage.Store, id string) (unlock func(), err error) {
	path, err := LockPath(s, id)
	if err != nil {
		return nil, err
	}
	return ctrstate.LockFile(path)
}
