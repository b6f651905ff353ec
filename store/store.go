package store

import (
	"fmt"
	"path/filepath"

	fuseoverlay "github.com/burrow/burrow/fuse-overlay"
	"github.com/burrow/burrow/paths"
	"go.podman.io/storage"
	"go.podman.io/storage/types"
)

// DriverRecord is the file, under the data directory, that keeps the
// probed driver so later commands do not probe again.
const DriverRecord = "driver.json"

// Opt says where the store lives and which driver to force, if any.
type Opt struct {
	Paths  paths.Paths
	Driver string // --storage-driver; empty = the recorded or probed choice
}

// Open returns the store and the driver choice it was opened with.
func Open(opt Opt) (storage.Store, fuseoverlay.Choice, error) {
	choice, err := ChooseDriver(opt)
	if err != nil {
		return nil, choice, err
	}
	s, err := storage.GetStore(types.StoreOptions{
		RunRoot:            opt.Paths.RunRoot,
		GraphRoot:          opt.Paths.GraphRoot,
		GraphDriverName:    choice.StorageDriver(),
		GraphDriverOptions: choice.StorageOptions(),
	})
	if err != nil {
		return nil, choice, fmt.Errorf("open storage at %s with driver %s: %w", opt.Paths.GraphRoot, choice.Driver, err)
	}
	return s, choice, nil
}

// ChooseDriver returns the forced, recorded or freshly probed driver, and
// records a probed one.
func ChooseDriver(opt Opt) (fuseoverlay.Choice, error) {
	record := filepath.Join(opt.Paths.Data, DriverRecord)
	if opt.Driver != "" {
		return fuseoverlay.Parse(opt.Driver, fuseoverlay.Opt{})
	}
	if c, ok, err := fuseoverlay.Load(record); err != nil || ok {
		return c, err
	}
	c := fuseoverlay.Probe(fuseoverlay.Opt{ProbeDir: opt.Paths.GraphRoot})
	if err := fuseoverlay.Save(record, c); err != nil {
		return c, err
	}
	return c, nil
}
