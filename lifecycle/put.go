package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/burrow/burrow/network"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// PutOpt is one COPY of a build: sources under a source root (the build
// context on the host, or another image's root) into Dest in a
// container's root, with docker's rules for where each lands.
type PutOpt struct {
	// From is the directory the sources are resolved in, as their root:
	// "..", absolute paths and symlinks never leave it.
	From    *os.File
	Sources []string // relative to From
	Dest    string   // absolute in the container
	Owner   *Owner   // nil: root
	Mode    *uint32  // nil: the source's
	// Skip leaves out entries below a source (.dockerignore), by their
	// path relative to From.
	Skip func(path string) bool
	// KeepOwners keeps each source's owner (unless Owner is set), as ADD
	// does for an archive it extracts. Set-ID and sticky bits are always
	// kept, as docker's COPY keeps them.
	KeepOwners bool
}

// Put copies as a Dockerfile's COPY does: a directory's contents (not the
// directory) go into Dest; a file goes into Dest when Dest ends in "/",
// names an existing directory or there are several sources, else it
// becomes Dest. Missing parents of Dest are created.
func Put(root *os.File, o PutOpt) error {
	ctr, src := side{ctr: "the image"}, side{}
	into := len(o.Sources) > 1 || strings.HasSuffix(o.Dest, "/")
	dest := path.Clean("/" + o.Dest)
	cp := copier{from: src, to: ctr, owner: o.Owner, mode: o.Mode, skip: o.Skip, keep: o.KeepOwners, special: true}
	for _, s := range o.Sources {
		from, err := openTop(o.From, s, inRoot, s, true)
		if err != nil {
			return src.err("open", s, err)
		}
		err = putOne(root, cp, from, dest, into)
		from.close()
		if err != nil {
			return err
		}
	}
	return nil
}

func putOne(root *os.File, cp copier, from node, dest string, into bool) error {
	if from.isDir() {
		dir, err := mkdirAllIn(root, inContainer(dest), inRoot)
		if err != nil {
			return cp.to.err("create", dest, err)
		}
		defer dir.Close()
		held, err := reopenDir(dir)
		if err != nil {
			return cp.to.err("open", dest, err)
		}
		defer held.Close()
		return cp.copyEntries(from, held, dest)
	}
	if !into {
		if dir, err := openDir(root, inContainer(dest), inRoot); err == nil {
			dir.Close()
			into = true
		} else if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTDIR) {
			return cp.to.err("open", dest, err)
		}
	}
	parent, name := path.Dir(dest), path.Base(dest)
	if into {
		parent, name = dest, path.Base(from.path)
	}
	dir, err := mkdirAllIn(root, inContainer(parent), inRoot)
	if err != nil {
		return cp.to.err("create", parent, err)
	}
	defer dir.Close()
	return cp.copy(from, dir, name, path.Join(parent, name))
}

// copyEntries copies what a source directory holds into dir.
func (cp copier) copyEntries(n node, dir *os.File, shown string) error {
	names, err := n.f.Readdirnames(-1)
	if err != nil {
		return cp.from.err("read", n.path, err)
	}
	for _, en := range names {
		child, err := openEntry(n.f, en, path.Join(n.path, en))
		if err != nil {
			return cp.from.err("open", path.Join(n.path, en), err)
		}
		err = cp.copy(child, dir, en, path.Join(shown, en))
		child.close()
		if err != nil {
			return err
		}
	}
	return nil
}

// reopenDir turns an O_PATH directory descriptor into one that entries
// can be created through and read.
func reopenDir(dir *os.File) (*os.File, error) {
	return openat(dir, ".", unix.O_RDONLY|unix.O_DIRECTORY, 0)
}

// WithScratch creates a container of image that never runs, holds its
// root open for fn, and removes it. It is recorded as owned by this
// process and removed on exit, so a kill leaves it to the next command's
// reap.
func WithScratch(s storage.Store, runRoot, image string, fn func(id string, root *os.File) error) error {
	c, err := create(s, runRoot, CreateOpt{Image: image, AutoRemove: true, Args: []string{"true"}, Network: network.MustParse("none")})
	if err != nil {
		return err
	}
	ferr := func() error {
		// create mounted it; finish unmounts.
		fd, err := unix.Open(c.Spec.Root.Path, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open root of %s: %w", c.Record.Name, err)
		}
		dir := os.NewFile(uintptr(fd), "/")
		defer dir.Close()
		return fn(c.ID, dir)
	}()
	if err := finish(s, runRoot, c, 0, false); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}
