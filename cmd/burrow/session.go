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
}

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
	s, choice, err := store.Open(store.Opt{Paths: p, Driver: c.String("storage-driver")})
	if err != nil {
		return nil, err
	}
	if err := lifecycle.Reap(s, p.RunRoot); err != nil {
		warn(err.Error())
	}
	return &session{paths: p, store: s, driver: choice}, nil
}

func (s *session) close() {
	_, _ = s.store.Shutdown(false)
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
