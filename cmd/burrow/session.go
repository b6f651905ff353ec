package main

import (
	"fmt"
	"os"
	"os/user"
	"strconv"

	fuseoverlay "github.com/burrow/burrow/fuse-overlay"
	"github.com/burrow/burrow/idmap"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/paths"
	"github.com/burrow/burrow/store"
	"github.com/burrow/burrow/userns"
	"github.com/urfave/cli/v2"
	"go.podman.io/storage"
)

// session is what a verb that touches images or containers works with.
type session struct {
	paths  paths.Paths
	store  storage.Store
	driver fuseoverlay.Choice
	tmp    string // this command's own TMPDIR, under the data directory
	// endWrites ends the mark that this command creates layers.
	endWrites func()
}

// layerWriters are the verbs that create layers: a kill between a layer
// and the image or container that uses it leaks the layer.
var layerWriters = map[string]bool{"load": true, "import": true, "pull": true, "commit": true, "run": true, "create": true}

// enterNamespace resolves burrow's paths and makes sure this process runs
// inside the holder's namespaces (re-executing into them if needed).
func enterNamespace() (paths.Paths, error) {
	p, err := paths.Resolve(paths.Env{Getenv: os.Getenv, UID: os.Getuid(), HostUID: hostUID()})
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

// openSession enters the namespace, opens the store and repairs what
// killed commands left behind.
func openSession(c *cli.Context) (*session, error) {
	p, err := enterNamespace()
	if err != nil {
		return nil, err
	}
	// Everything temporary (ours, containers/storage's, containers/image's
	// via imageio) goes where the next command can clean up after a kill.
	tmp, err := paths.SessionTemp(paths.TempDir(p))
	if err != nil {
		return nil, err
	}
	if err := os.Setenv("TMPDIR", tmp); err != nil {
		return nil, fmt.Errorf("set TMPDIR: %w", err)
	}
	s, choice, err := store.Open(store.Opt{Paths: p, Driver: c.String("storage-driver")})
	if err != nil {
		paths.EndSessionTemp(tmp)
		return nil, err
	}
	sess := &session{paths: p, store: s, driver: choice, tmp: tmp, endWrites: func() {}}
	sess.repair()
	if layerWriters[c.Command.Name] {
		if sess.endWrites, err = store.BeginLayerWrites(p.RunRoot); err != nil {
			sess.close()
			return nil, err
		}
	}
	return sess, nil
}

// repair finishes what killed commands left: containers, their network
// namespaces, temporary files, layers. Each part costs a directory read
// when there is nothing to do.
func (s *session) repair() {
	if err := lifecycle.Reap(s.store, s.paths.RunRoot); err != nil {
		warn(err.Error())
	}
	if err := lifecycle.RepairNetwork(s.paths.RunRoot); err != nil {
		warn(err.Error())
	}
	if err := paths.RemoveStaleTemp(paths.TempDir(s.paths)); err != nil {
		warn(err.Error())
	}
	if err := store.RepairLayers(s.store, s.paths.RunRoot); err != nil {
		warn(err.Error())
	}
}

func (s *session) close() {
	s.endWrites()
	_, _ = s.store.Shutdown(false)
	paths.EndSessionTemp(s.tmp)
}

func userMapping() (idmap.Mapping, error) {
	uid, gid := hostID("/proc/self/uid_map", os.Getuid()), hostID("/proc/self/gid_map", os.Getgid())
	name := os.Getenv("USER")
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		name = u.Username
	}
	return idmap.ForUser(idmap.Opt{UserName: name, UID: uint32(uid), GID: uint32(gid)})
}

func hostUID() int { return userns.HostUID() }

func hostID(mapFile string, own int) int { return userns.HostID(mapFile, own) }

func warn(msg string) {
	fmt.Fprintf(os.Stderr, "WARN: %s\n", msg)
}
