package lifecycle

import (
	"io/fs"
	"os"
	"path"
	"time"

	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// PathStat is what a path in a container is, as docker's archive API
// reports it.
type PathStat struct {
	Name  string
	Size  int64
	Mode  fs.FileMode
	Mtime time.Time
}

// Stat resolves p once inside the container's root (following a symlink
// at its end, as cp does) and reports what it is.
func Stat(s storage.Store, c Container, p string) (PathStat, error) {
	p = path.Clean("/" + p)
	var out PathStat
	err := withRootDir(s, c, func(root *os.File) error {
		n, err := openTop(root, "."+p, inRoot, p, true)
		if err != nil {
			return side{ctr: c.Record.Name}.err("stat", p, err)
		}
		defer n.close()
		out = PathStat{Name: path.Base(p), Size: n.st.Size, Mtime: time.Unix(n.st.Mtim.Unix()), Mode: fs.FileMode(n.st.Mode & 0o777)}
		switch n.st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			out.Mode |= fs.ModeDir
		case unix.S_IFLNK:
			out.Mode |= fs.ModeSymlink
		}
		return nil
	})
	return out, err
}
