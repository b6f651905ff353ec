package lifecycle

import (
	"fmt"

	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/ocispec"
	"go.podman.io/storage"
)

// Create makes a container without starting it and returns its ID.
func Create(s storage.Store, runRoot string, opt CreateOpt) (string, error) {
	c, err := create(s, runRoot, opt)
	if err != nil {
		return "", err
	}
	Emit(runRoot, c.ID, c.Record, "create", nil)
	// Created, not running: nothing stays mounted and nobody owns it.
	if err := release(s, c.ID, false); err != nil {
		return c.ID, err
	}
	return c.ID, ctrstate.Remove(runRoot, c.ID)
}

// StartOpt say how Start runs a container.
type StartOpt struct {
	Attach      bool // burrow is the parent, as for run; else a new monitor
	Interactive bool // with Attach: the container reads burrow's stdin
	// DetachKeys, with Attach, Interactive and a terminal, give the
	// container a monitor that this process attaches to (see RunAttached).
	DetachKeys []byte
	// Started, if set, is called once the container runs (with Attach;
	// without, Start returns then).
	Started func()
}

// Start runs an existing, stopped container again with its saved spec.
// The caller holds the container's lock (LockContainer) and read c under it.
func Start(s storage.Store, runRoot string, c Container, o StartOpt) (int, error) {
	if c.Owned {
		return 0, nil
	}
	cr, err := prepareStart(s, runRoot, c)
	if err != nil {
		return 0, err
	}
	if !o.Attach {
		return 0, spawnMonitor(s, runRoot, cr, nil)
	}
	if o.Interactive && cr.Spec.Process.Terminal && len(o.DetachKeys) > 0 {
		return startAttached(s, runRoot, cr, o.DetachKeys, o.Started)
	}
	code, runErr := runCreated(s, runRoot, cr, RunOpt{Interactive: o.Interactive, OnStarted: o.Started}, newTracer())
	if err := finish(s, runRoot, cr, code, runErr == nil); err != nil && runErr == nil {
		runErr = err
	}
	return code, runErr
}

func prepareStart(s storage.Store, runRoot string, c Container) (cr *created, err error) {
	spec, err := loadSpec(s, c.ID)
	if err != nil {
		return nil, fmt.Errorf("%w (its run-time files are gone, e.g. after a reboot: run a new container)", err)
	}
	if err := ownState(runRoot, c.ID, c.Record.AutoRemove); err != nil {
		return nil, err
	}
	ctrstate.ClearStopped(runRoot, c.ID)
	defer func() {
		if err != nil {
			_ = ctrstate.Remove(runRoot, c.ID)
		}
	}()
	c.Record.OOMKilled = false
	rootfs, err := s.Mount(c.ID, spec.Linux.MountLabel)
	if err != nil {
		return nil, fmt.Errorf("mount root of %s: %w", c.Record.Name, err)
	}
	spec.Root.Path = rootfs
	shm := ocispec.Controls{IPC: c.Record.Namespaces.IPC, ShmSize: c.Record.Namespaces.ShmSize}
	if err := makeShmDir(s, c.ID, &shm); err != nil {
		return nil, err
	}
	if err := rejoinNamespaces(s, runRoot, c.Record, spec); err != nil {
		return nil, err
	}
	// The cgroup went with the last run; make it again, limits included.
	if spec.Linux.CgroupsPath, err = containerCgroup(c.ID, c.Record.Limits); err != nil {
		return nil, err
	}
	if err := saveSpec(s, c.ID, spec); err != nil {
		return nil, err
	}
	if err := mountTmpfsVolumes(s, runRoot, c.ID, c.Record, rootfs); err != nil {
		return nil, err
	}
	return &created{ID: c.ID, Record: c.Record, Spec: spec}, nil
}

// Rename gives a container a new, unused name.
func Rename(s storage.Store, c Container, name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	if err := s.SetNames(c.ID, []string{name}); err != nil {
		return fmt.Errorf("rename %s to %s: %w", c.Record.Name, name, err)
	}
	c.Record.Name = name
	meta, err := c.Record.encode()
	if err != nil {
		return err
	}
	return s.SetMetadata(c.ID, meta)
}
