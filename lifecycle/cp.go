package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// A process in the container can swap any directory of its root for a
// symlink at any moment (CVE-2018-15664), so cp never resolves a
// container path twice: each is resolved once, inside the root, into a
// descriptor, and every deeper step is taken from a held descriptor.

// CopyOpt says whose the copied files become: Owner's when set, else the
// source's own with Keep, else the copying user's (root in burrow's
// namespace, the user on the host). A symlink named as the source is
// followed unless NoFollow; a directory in the way of a non-directory (or
// the reverse) is an error unless Overwrite.
type CopyOpt struct {
	Owner     *Owner
	Keep      bool
	NoFollow  bool
	Overwrite bool
}

func (o CopyOpt) copier(from, to side) copier {
	return copier{from: from, to: to, owner: o.Owner, keep: o.Keep, overwrite: o.Overwrite}
}

// CopyOut copies src (a path in the container) to dst on the host, as
// `docker cp CTR:SRC DST`: into dst when dst is an existing directory.
func CopyOut(s storage.Store, c Container, src, dst string, opt CopyOpt) error {
	ctr, host := side{ctr: c.Record.Name}, side{}
	src = path.Clean("/" + src)
	return withRootDir(s, c, func(root *os.File) error {
		from, err := openTop(root, "."+src, inRoot, src, !opt.NoFollow)
		if err != nil {
			return ctr.err("open", src, err)
		}
		defer from.close()
		dir, name, shown, err := hostTarget(dst, srcName(src), from.isDir())
		if err != nil {
			return host.err("open", shown, err)
		}
		defer dir.Close()
		return opt.copier(ctr, host).copy(from, dir, name, filepath.Join(shown, name))
	})
}

// CopyIn copies src on the host to dst in the container, as
// `docker cp SRC CTR:DST`: into dst when dst is an existing directory.
func CopyIn(s storage.Store, c Container, src, dst string, opt CopyOpt) error {
	ctr, host := side{ctr: c.Record.Name}, side{}
	from, err := openTop(nil, src, 0, src, !opt.NoFollow)
	if err != nil {
		return host.err("open", src, err)
	}
	defer from.close()
	return withRootDir(s, c, func(root *os.File) error {
		dir, name, shown, err := containerTarget(root, dst, srcName(src), from.isDir())
		if err != nil {
			return ctr.err("open", shown, err)
		}
		defer dir.Close()
		return opt.copier(host, ctr).copy(from, dir, name, path.Join(shown, name))
	})
}

// WithRoot mounts the container's root for fn (a running container's is
// mounted already; the mount count keeps it so).
func WithRoot(s storage.Store, c Container, fn func(root string) error) error {
	root, err := s.Mount(c.ID, "")
	if err != nil {
		return fmt.Errorf("mount root of %s: %w", c.Record.Name, err)
	}
	defer func() { _, _ = s.Unmount(c.ID, false) }()
	return fn(root)
}

// withRootDir is WithRoot with the root held open: every container path
// is resolved against this descriptor, never against the root's name.
func withRootDir(s storage.Store, c Container, fn func(root *os.File) error) error {
	return WithRoot(s, c, func(root string) error {
		fd, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open root of %s: %w", c.Record.Name, err)
		}
		dir := os.NewFile(uintptr(fd), c.Record.Name+":/")
		defer dir.Close()
		return fn(dir)
	})
}

// side is one end of a copy, so that errors name paths as the user gave
// them: on the host, or in the named container (never its overlay path).
type side struct{ ctr string }

func (s side) err(op, p string, err error) error {
	if s.ctr == "" {
		return &os.PathError{Op: op, Path: p, Err: err}
	}
	if errors.Is(err, os.ErrNotExist) {
		return &notFoundError{path: p, ctr: s.ctr, err: err}
	}
	return fmt.Errorf("%s %q on container %s: %w", op, p, s.ctr, err)
}

// notFoundError says docker's sentence; the errno would only repeat it.
type notFoundError struct {
	path, ctr string
	err       error
}

func (e *notFoundError) Error() string {
	return fmt.Sprintf("%q could not be found on container %s", e.path, e.ctr)
}

func (e *notFoundError) Unwrap() error { return e.err }

// inContainer makes p relative to the root descriptor; RESOLVE_IN_ROOT
// would treat it the same, but "" must become ".".
func inContainer(p string) string {
	return "." + path.Clean("/"+p)
}

// srcName is the name a copy takes inside an existing directory; the
// contents of a root go into the directory itself.
func srcName(p string) string {
	if name := filepath.Base(p); name != "/" {
		return name
	}
	return "."
}

// hostTarget is where a copy out goes on the host: into dst when it is a
// directory, else dst itself; it returns the directory (held open), the
// name the copy takes in it and how the user names that directory. The
// host side is the user's own, so dst itself is resolved by name; what
// the copy creates below it is created by descriptor.
func hostTarget(dst, name string, mkParents bool) (*os.File, string, string, error) {
	if dir, err := openDir(nil, dst, 0); err == nil {
		return dir, name, dst, nil
	} else if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTDIR) {
		return nil, "", dst, err
	}
	if strings.HasSuffix(dst, "/") {
		return nil, "", dst, unix.ENOTDIR
	}
	parent := filepath.Dir(dst)
	if mkParents {
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, "", parent, err
		}
	}
	dir, err := openDir(nil, parent, 0)
	return dir, filepath.Base(dst), parent, err
}

// containerTarget is hostTarget inside the container, where every path
// is resolved inside the root.
func containerTarget(root *os.File, dst, name string, mkParents bool) (*os.File, string, string, error) {
	shown := path.Clean("/" + dst)
	if dir, err := openDir(root, inContainer(dst), inRoot); err == nil {
		return dir, name, shown, nil
	} else if !errors.Is(err, unix.ENOENT) && !errors.Is(err, unix.ENOTDIR) {
		return nil, "", shown, err
	}
	if strings.HasSuffix(dst, "/") {
		return nil, "", shown, unix.ENOTDIR
	}
	parent := path.Dir(shown)
	open := openDir
	if mkParents {
		open = mkdirAllIn
	}
	dir, err := open(root, inContainer(parent), inRoot)
	return dir, path.Base(shown), parent, err
}
