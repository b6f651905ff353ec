package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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
		GraphDriverOptions: driverOptions(choice),
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

func driverOptions(c fuseoverlay.Choice) []string {
	opts := c.StorageOptions()
	if singleIDMapping() {
		// Only one ID exists in the namespace: files of other owners in a
		// layer are stored as root rather than failing the whole layer.
		opts = append(opts, c.StorageDriver()+".ignore_chown_errors=true")
	}
	return opts
}

// singleIDMapping reports whether this process's user namespace maps
// exactly one uid (the single-ID fallback of package idmap).
func singleIDMapping() bool {
	data, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return false
	}
	total := uint64(0)
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		n, err := strconv.ParseUint(f[2], 10, 32)
		if err != nil {
			return false
		}
		total += n
	}
	return total == 1
}
