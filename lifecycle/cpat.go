package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// inRoot resolves a path as the container would, with its root as "/":
// "..", absolute paths and absolute symlinks all stay below the root, and
// /proc magic links (which jump anywhere) are refused.
const inRoot = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// openat2 opens p relative to dir (the working directory when nil). With
// a scoped resolve, the kernel gives EAGAIN when a rename raced a ".."
// step; it is safe to retry, and a container renaming in a loop can make
// it happen a few times in a row.
func openat2(dir *os.File, p string, flags int, resolve uint64) (*os.File, error) {
	dirfd := unix.AT_FDCWD
	if dir != nil {
		dirfd = int(dir.Fd())
	}
	how := &unix.OpenHow{Flags: uint64(flags | unix.O_CLOEXEC), Resolve: resolve}
	for range 64 {
		fd, err := unix.Openat2(dirfd, p, how)
		if err == nil {
			return os.NewFile(uintptr(fd), p), nil
		}
		if err != unix.EAGAIN && err != unix.EINTR {
			return nil, err
		}
	}
	return nil, unix.EAGAIN
}

func openDir(dir *os.File, p string, resolve uint64) (*os.File, error) {
	return openat2(dir, p, unix.O_PATH|unix.O_DIRECTORY, resolve)
}

// mkdirAllIn opens directory p inside root, creating what is missing of
// it: the longest existing prefix is resolved inside the root, the rest
// made one component at a time from the held parent, never following a
// symlink a racing process puts in the way.
func mkdirAllIn(root *os.File, p string, resolve uint64) (*os.File, error) {
	var missing []string
	for {
		dir, err := openDir(root, p, resolve)
		if err == nil {
			return mkdirChain(dir, missing)
		}
		if !errors.Is(err, unix.ENOENT) || p == "." || p == "/" {
			return nil, err
		}
		missing = append([]string{filepath.Base(p)}, missing...)
		p = filepath.Dir(p)
	}
}

func mkdirChain(dir *os.File, names []string) (*os.File, error) {
	for _, name := range names {
		next, _, err := mkdirOpen(dir, name, unix.O_PATH)
		dir.Close()
		if err != nil {
			return nil, err
		}
		dir = next
	}
	return dir, nil
}

// mkdirOpen makes directory name in dir unless it exists, and opens it
// without following a symlink.
func mkdirOpen(dir *os.File, name string, flags int) (_ *os.File, created bool, _ error) {
	err := unix.Mkdirat(int(dir.Fd()), name, 0o755)
	if err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, false, err
	}
	f, ferr := openat(dir, name, flags|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	return f, err == nil, ferr
}

func openat(dir *os.File, name string, flags int, mode uint32) (*os.File, error) {
	fd, err := unix.Openat(int(dir.Fd()), name, flags|unix.O_CLOEXEC, mode)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), name), nil
}

// node is a source entry held open: the descriptor it is read through
// (none for a symlink, whose target is read once), its status, and the
// path the user knows it by.
type node struct {
	f    *os.File
	st   unix.Stat_t
	link string
	path string
}

func (n node) isDir() bool { return n.st.Mode&unix.S_IFMT == unix.S_IFDIR }

func (n node) close() {
	if n.f != nil {
		n.f.Close()
	}
}

// openTop opens the source the user named, following a symlink at its
// end (podman's default, docker's -L) unless !follow: then a symlink there
// is copied as a link. O_NONBLOCK: a FIFO must not hang the copy.
func openTop(dir *os.File, p string, resolve uint64, shown string, follow bool) (node, error) {
	flags := unix.O_RDONLY | unix.O_NONBLOCK
	if !follow {
		flags |= unix.O_NOFOLLOW
	}
	f, err := openat2(dir, p, flags, resolve)
	if !follow && errors.Is(err, unix.ELOOP) {
		return openLink(dir, p, resolve, shown)
	}
	if err != nil {
		return node{}, err
	}
	return held(f, shown)
}

// openLink reads the symlink at p through a descriptor of the link itself,
// so that what is copied is the link the status describes.
func openLink(dir *os.File, p string, resolve uint64, shown string) (node, error) {
	f, err := openat2(dir, p, unix.O_PATH|unix.O_NOFOLLOW, resolve)
	if err != nil {
		return node{}, err
	}
	defer f.Close()
	n := node{path: shown}
	if err := unix.Fstat(int(f.Fd()), &n.st); err != nil {
		return node{}, err
	}
	if n.st.Mode&unix.S_IFMT != unix.S_IFLNK {
		// Replaced by something else since: the loop was its own.
		return node{}, unix.ELOOP
	}
	n.link, err = readlinkat(f, "")
	return n, err
}

// openEntry opens an entry below the source without following it: a
// symlink is copied as a link. The status taken by name only picks the
// way to open; what is copied is what the descriptor holds.
func openEntry(dir *os.File, name, shown string) (node, error) {
	var st unix.Stat_t
	if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return node{}, err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFLNK:
		link, err := readlinkat(dir, name)
		return node{st: st, link: link, path: shown}, err
	case unix.S_IFDIR, unix.S_IFREG:
		f, err := openat(dir, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
		if err != nil {
			return node{}, err
		}
		return held(f, shown)
	}
	return node{st: st, path: shown}, nil
}

func held(f *os.File, shown string) (node, error) {
	n := node{f: f, path: shown}
	if err := unix.Fstat(int(f.Fd()), &n.st); err != nil {
		f.Close()
		return node{}, err
	}
	return n, nil
}

func readlinkat(dir *os.File, name string) (string, error) {
	for size := 256; ; size *= 2 {
		buf := make([]byte, size)
		n, err := unix.Readlinkat(int(dir.Fd()), name, buf)
		if err != nil {
			return "", err
		}
		if n < size {
			return string(buf[:n]), nil
		}
	}
}

// copier copies held source nodes into held directories; from and to
// name the two sides in errors. A build's COPY sets the rest: the owner
// and mode of what it creates, and the entries it leaves out.
type copier struct {
	from, to side
	owner    *Owner
	mode     *uint32
	skip     func(path string) bool
	// keep gives each copy the source's owner (unless owner is set): an
	// ADD'ed archive as it was packed.
	keep bool
	// special keeps set-ID and sticky bits, as a Dockerfile's COPY does.
	special bool
	// overwrite replaces a directory in the way of a non-directory and
	// the reverse (podman cp --overwrite); without it that is an error.
	overwrite bool
}

// ownerOf is the owner a copy of n gets: nil leaves the copying user's.
func (cp copier) ownerOf(n node) *Owner {
	if cp.owner == nil && cp.keep {
		return &Owner{UID: int(n.st.Uid), GID: int(n.st.Gid)}
	}
	return cp.owner
}

// modeOf is the part of n's mode a copy keeps.
func (cp copier) modeOf(n node) uint32 {
	if cp.special {
		return n.st.Mode & 0o7777
	}
	return n.st.Mode & 0o777
}

// Owner is a numeric user and group in the container.
type Owner struct{ UID, GID int }

func (cp copier) copy(n node, dir *os.File, name, shown string) error {
	if cp.skip != nil && cp.skip(n.path) {
		return nil
	}
	switch n.st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		return cp.copyDir(n, dir, name, shown)
	case unix.S_IFREG:
		return cp.copyFile(n, dir, name, shown)
	case unix.S_IFLNK:
		if err := cp.clear(dir, name, false, shown); err != nil {
			return err
		}
		// Any other non-directory in the way is replaced, as docker's
		// extraction does.
		_ = unix.Unlinkat(int(dir.Fd()), name, 0)
		if err := unix.Symlinkat(n.link, int(dir.Fd()), name); err != nil {
			return cp.to.err("create", shown, err)
		}
		if o := cp.ownerOf(n); o != nil {
			if err := unix.Fchownat(int(dir.Fd()), name, o.UID, o.GID, unix.AT_SYMLINK_NOFOLLOW); err != nil {
				return cp.to.err("chown", shown, err)
			}
		}
		return nil
	}
	return cp.from.err("copy", n.path, fmt.Errorf("%s: %w", kind(n.st.Mode), errors.ErrUnsupported))
}

// errInTheWay says what podman says, with the way out.
var errInTheWay = fmt.Errorf("%w (--overwrite replaces a directory with a non-directory and the reverse)", unix.EEXIST)

// clear makes room for a directory (dirWanted) or a non-directory at name
// in dir: an entry of the other kind is an error, or with overwrite is
// removed, a whole tree by descriptor, never following a symlink in it.
func (cp copier) clear(dir *os.File, name string, dirWanted bool, shown string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return cp.to.err("create", shown, err)
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	if isDir == dirWanted {
		return nil
	}
	if !cp.overwrite {
		return cp.to.err("create", shown, errInTheWay)
	}
	if err := removeAt(dir, name); err != nil {
		return cp.to.err("replace", shown, err)
	}
	return nil
}

// removeAt removes name in dir and, for a directory, everything below it.
func removeAt(dir *os.File, name string) error {
	err := unix.Unlinkat(int(dir.Fd()), name, 0)
	if err == nil || !errors.Is(err, unix.EISDIR) {
		return err
	}
	sub, err := openat(dir, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW, 0)
	if err != nil {
		return err
	}
	names, err := sub.Readdirnames(-1)
	if err == nil {
		for _, en := range names {
			if err = removeAt(sub, en); err != nil {
				break
			}
		}
	}
	sub.Close()
	if err != nil {
		return err
	}
	return unix.Unlinkat(int(dir.Fd()), name, unix.AT_REMOVEDIR)
}

func (cp copier) copyDir(n node, dir *os.File, name, shown string) error {
	if err := cp.clear(dir, name, true, shown); err != nil {
		return err
	}
	out, created, err := mkdirOpen(dir, name, unix.O_RDONLY)
	if err != nil {
		return cp.to.err("create", shown, err)
	}
	defer out.Close()
	names, err := n.f.Readdirnames(-1)
	if err != nil {
		return cp.from.err("read", n.path, err)
	}
	for _, en := range names {
		child, err := openEntry(n.f, en, filepath.Join(n.path, en))
		if err != nil {
			return cp.from.err("open", filepath.Join(n.path, en), err)
		}
		err = cp.copy(child, out, en, filepath.Join(shown, en))
		child.close()
		if err != nil {
			return err
		}
	}
	// Only a directory the copy made takes the source's mode, and only
	// now: a read-only source must not stop its own entries being copied.
	if created {
		return cp.setAttrs(out, cp.modeOf(n), cp.ownerOf(n), shown)
	}
	return nil
}

// setAttrs gives what the copy created its mode (--chmod's if given) and
// owner (--chown's if given, else the copying user's: root).
func (cp copier) setAttrs(f *os.File, mode uint32, owner *Owner, shown string) error {
	if cp.mode != nil {
		mode = *cp.mode
	}
	if owner != nil {
		if err := unix.Fchown(int(f.Fd()), owner.UID, owner.GID); err != nil {
			return cp.to.err("chown", shown, err)
		}
	}
	// After the chown, which clears set-ID bits.
	if err := unix.Fchmod(int(f.Fd()), mode); err != nil {
		return cp.to.err("chmod", shown, err)
	}
	return nil
}

// copyFile writes through a descriptor opened without following a
// symlink: one put in the way is replaced, as docker's extraction does.
// O_NONBLOCK: a FIFO in the way fails instead of waiting for a reader.
func (cp copier) copyFile(n node, dir *os.File, name, shown string) error {
	if err := cp.clear(dir, name, false, shown); err != nil {
		return err
	}
	flags := unix.O_WRONLY | unix.O_CREAT | unix.O_TRUNC | unix.O_NOFOLLOW | unix.O_NONBLOCK
	out, err := openat(dir, name, flags, 0o600)
	if errors.Is(err, unix.ELOOP) {
		if err = unix.Unlinkat(int(dir.Fd()), name, 0); err == nil {
			out, err = openat(dir, name, flags, 0o600)
		}
	}
	if err != nil {
		return cp.to.err("create", shown, err)
	}
	defer out.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(out.Fd()), &st); err != nil {
		return cp.to.err("create", shown, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return cp.to.err("replace", shown, fmt.Errorf("%s: %w", kind(st.Mode), errors.ErrUnsupported))
	}
	if _, err := io.Copy(out, n.f); err != nil {
		return cp.to.err("write", shown, err)
	}
	// After the write, which would clear set-ID bits; until now the file
	// was the creator's alone (0600).
	if err := cp.setAttrs(out, cp.modeOf(n), cp.ownerOf(n), shown); err != nil {
		return err
	}
	// A copy keeps the source's modification time, as docker's COPY does.
	times := []unix.Timeval{unix.NsecToTimeval(n.st.Atim.Nano()), unix.NsecToTimeval(n.st.Mtim.Nano())}
	if err := unix.Futimes(int(out.Fd()), times); err != nil {
		return cp.to.err("set times of", shown, err)
	}
	if err := out.Close(); err != nil {
		return cp.to.err("write", shown, err)
	}
	return nil
}

func kind(mode uint32) string {
	switch mode & unix.S_IFMT {
	case unix.S_IFIFO:
		return "named pipe"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFCHR, unix.S_IFBLK:
		return "device"
	}
	return "special file"
}
