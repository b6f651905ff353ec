// Package engine is burrow's one entry for every front end (the CLI, the
// API socket, build): it enters the user namespace, opens the store,
// repairs what killed commands left, and runs every operation on
// containers and images. Inputs are typed option structs that the engine
// validates; outputs are typed values. It prints nothing: warnings go to
// Options.Warn, progress to the writers the options name.
package engine

import (
	"fmt"
	"os"
	"os/user"
	"strconv"

	fuseoverlay "github.com/burrow/burrow/fuse-overlay"
	"github.com/burrow/burrow/idmap"
	"github.com/burrow/burrow/imageio"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/paths"
	"github.com/burrow/burrow/store"
	"github.com/burrow/burrow/userns"
	"go.podman.io/storage"
)

// Options say how to open the engine.
type Options struct {
	// StorageDriver is overlay, fuse-overlayfs or vfs; "" is what was
	// probed and recorded the first time.
	StorageDriver string
	// Warn receives what the user should know but that does not fail the
	// operation (a repair that failed, a fallback); nil drops it.
	Warn func(string)
	// WritesLayers marks the command as one that creates layers, so that
	// a concurrent repair leaves its fresh layers alone.
	WritesLayers bool
	// Registry reaches registries (pull, push, login); nil in burrow, whose
	// registry operations fail with ErrNoRegistry for the front end to
	// hand the command to burrow-build, which has it.
	Registry Transport
}

// Transport is the registry client an engine is opened with.
type Transport = imageio.Transport

// ErrNoRegistry is a pull, push or login of an engine without a registry
// client: nothing was changed yet, and the command can be handed over.
var ErrNoRegistry = imageio.ErrNoTransport

// Engine is an open store inside burrow's user namespace.
type Engine struct {
	paths     paths.Paths
	store     storage.Store
	driver    fuseoverlay.Choice
	tmp       string // this command's own TMPDIR, under the data directory
	endWrites func()
	warn      func(string)
	registry  Transport
	closed    bool
}

// Enter makes sure this process runs inside the holder's namespaces,
// re-executing into them if needed, and returns burrow's paths. Open does
// it too; verbs that need the namespace but not the store (login,
// unshare) call it alone.
func Enter(warn func(string)) (paths.Paths, error) {
	if warn == nil {
		warn = func(string) {}
	}
	p, err := paths.Resolve(paths.Env{Getenv: os.Getenv, UID: os.Getuid(), HostUID: userns.HostUID()})
	if err != nil {
		return p, err
	}
	if userns.Inside() {
		return p, nil
	}
	if p.Warning != "" {
		warn(p.Warning)
	}
	if err := paths.EnsureRunRoot(p.RunRoot, os.Getuid()); err != nil {
		return p, err
	}
	err = userns.Ensure(userns.Opt{RunDir: p.RunRoot, Mapping: userMapping, Warn: warn})
	return p, err
}

// Open enters the namespace, opens the store and repairs what killed
// commands left behind.
func Open(opt Options) (*Engine, error) {
	warn := opt.Warn
	if warn == nil {
		warn = func(string) {}
	}
	p, err := Enter(warn)
	if err != nil {
		return nil, err
	}
	// Everything temporary (ours, containers/storage's, containers/image's)
	// goes where the next command can clean up after a kill.
	tmp, err := paths.SessionTemp(paths.TempDir(p))
	if err != nil {
		return nil, err
	}
	if err := os.Setenv("TMPDIR", tmp); err != nil {
		return nil, fmt.Errorf("set TMPDIR: %w", err)
	}
	s, choice, err := store.Open(store.Opt{Paths: p, Driver: opt.StorageDriver})
	if err != nil {
		paths.EndSessionTemp(tmp)
		return nil, err
	}
	e := &Engine{paths: p, store: s, driver: choice, tmp: tmp, endWrites: func() {}, warn: warn, registry: opt.Registry}
	e.repair()
	if opt.WritesLayers {
		if e.endWrites, err = store.BeginLayerWrites(p.RunRoot); err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

// repair finishes what killed commands left: containers, their network
// namespaces, temporary files, layers. Each part costs a directory read
// when there is nothing to do.
func (e *Engine) repair() {
	if err := lifecycle.Reap(e.store, e.paths.RunRoot); err != nil {
		e.warn(err.Error())
	}
	if err := lifecycle.RepairNetwork(e.paths.RunRoot); err != nil {
		e.warn(err.Error())
	}
	if err := paths.RemoveStaleTemp(paths.TempDir(e.paths)); err != nil {
		e.warn(err.Error())
	}
	if err := store.RepairLayers(e.store, e.paths.RunRoot); err != nil {
		e.warn(err.Error())
	}
}

// Close releases the store and this command's temporary directory.
func (e *Engine) Close() {
	if e.closed {
		return // closed before a hand-over that failed, then deferred
	}
	e.closed = true
	e.endWrites()
	_, _ = e.store.Shutdown(false)
	paths.EndSessionTemp(e.tmp)
}

// layersWritten ends the mark that this command creates layers: a
// foreground run that lasts for hours has its container (and so its
// layer) by then, and repairs may run meanwhile.
func (e *Engine) layersWritten() {
	e.endWrites()
	e.endWrites = func() {}
}

func userMapping() (idmap.Mapping, error) {
	uid, gid := userns.HostID("/proc/self/uid_map", os.Getuid()), userns.HostID("/proc/self/gid_map", os.Getgid())
	name := os.Getenv("USER")
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		name = u.Username
	}
	return idmap.ForUser(idmap.Opt{UserName: name, UID: uint32(uid), GID: uint32(gid)})
}
