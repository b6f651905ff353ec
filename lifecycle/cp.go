package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	"go.podman.io/storage"
)

// CopyOut copies src (a path in the container) to dst on the host, as
// `docker cp CTR:SRC DST`: into dst when dst is an existing directory.
func CopyOut(s storage.Store, c Container, src, dst string) error {
	return WithRoot(s, c, func(root string) error {
		from, err := securejoin.SecureJoin(root, src)
		if err != nil {
			return err
		}
		return copyTree(from, intoDir(dst, path.Base(src)), func(p string) (string, error) { return p, nil })
	})
}

// CopyIn copies src on the host to dst in the container. Every target path
// is resolved inside the container's root, so a symlink in the container
// cannot lead the copy onto the host.
func CopyIn(s storage.Store, c Container, src, dst string) error {
	return WithRoot(s, c, func(root string) error {
		target, err := securejoin.SecureJoin(root, dst)
		if err != nil {
			return err
		}
		base := dst
		if fi, err := os.Stat(target); err == nil && fi.IsDir() {
			base = path.Join(dst, filepath.Base(src))
		}
		return copyTree(src, base, func(p string) (string, error) { return securejoin.SecureJoin(root, p) })
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

func intoDir(dst, name string) string {
	if fi, err := os.Stat(dst); err == nil && fi.IsDir() {
		return filepath.Join(dst, name)
	}
	return dst
}

// copyTree copies the tree at from to to; resolve maps each target path
// (it confines targets inside a container). Symlinks are copied as links.
func copyTree(from, to string, resolve func(string) (string, error)) error {
	return filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(from, p)
		if err != nil {
			return err
		}
		target, err := resolve(filepath.Join(to, rel))
		if err != nil {
			return err
		}
		return copyEntry(p, target, d)
	})
}

func copyEntry(src, dst string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	switch {
	case d.IsDir():
		if err := os.MkdirAll(dst, info.Mode().Perm()); err != nil {
			return fmt.Errorf("create %s: %w", dst, err)
		}
		return nil
	case info.Mode()&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			return err
		}
		_ = os.Remove(dst)
		return os.Symlink(link, dst)
	case info.Mode().IsRegular():
		return copyFile(src, dst, info.Mode().Perm())
	}
	return fmt.Errorf("copy %s: %w", src, errors.ErrUnsupported)
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, mode)
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	return out.Close()
}
