package volume

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// CopyUp fills the empty volume v with what the image has at dir
// (resolved inside rootfs, as the container would see it), keeping
// owners, modes, times and extended attributes; the volume's directory
// takes dir's owner and mode. The copy is made beside the volume's
// directory (_copyup) and renamed over it, so a kill leaves the volume
// empty (and copied up on its next use), never half full. A dir that is
// missing or not a directory copies nothing. Files hard-linked to each
// other inside dir stay hard links. The caller runs inside burrow's user
// namespace, where every mapped owner can be set, and holds the volume
// lock.
//
// shared says that other containers use the volume: one that runs has
// the directory itself mounted and would not see a new one renamed over
// it. Then the finished copy is renamed to _copyup.done and its entries
// are moved into the directory one by one; a kill in between leaves
// _copyup.done, whose move the next holder of the lock finishes (see
// Store.repair). A container watching the volume meanwhile sees the
// entries arrive one by one, until the last.
func CopyUp(v Volume, rootfs, dir string, shared bool) error {
	base := filepath.Dir(v.Mountpoint)
	tmp := filepath.Join(base, copyUpDir)
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("copy-up into %s: %w", v.Name, err)
	}
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return fmt.Errorf("copy-up into %s: %w", v.Name, err)
	}
	copied, err := copyDir(rootfs, dir, tmp)
	switch {
	case err != nil || !copied:
	case shared:
		done := filepath.Join(base, copyUpDone)
		if err = unix.Rename(tmp, done); err == nil {
			err = moveIn(done, v.Mountpoint)
		}
	default:
		// rename(2) replaces an empty directory at once.
		err = unix.Rename(tmp, v.Mountpoint) // os.Rename refuses a directory as the target
	}
	if err != nil || !copied {
		_ = os.RemoveAll(tmp)
	}
	if err != nil {
		return fmt.Errorf("copy-up into volume %s: %w", v.Name, err)
	}
	return nil
}

// CopyUpTmpfs fills the mounted tmpfs of volume v, empty, with what the
// image has at dir, keeping what CopyUp keeps. It copies in place: a
// rename cannot cross into the tmpfs, and the caller (lifecycle, under
// the volume lock) uses it only on a tmpfs it has just mounted, which no
// container sees yet. A dir that is missing or not a directory copies
// nothing. A read-only tmpfs (o=ro) is writable during the copy.
func CopyUpTmpfs(v Volume, rootfs, dir string) error {
	flags, _, err := tmpfsMountOptions(v.Options["o"])
	if err != nil {
		return err
	}
	ro := flags&unix.MS_RDONLY != 0
	if ro {
		err = remount(v.Mountpoint, flags&^unix.MS_RDONLY)
	}
	if err == nil {
		_, err = copyDir(rootfs, dir, v.Mountpoint)
	}
	if ro {
		err = errors.Join(err, remount(v.Mountpoint, flags))
	}
	if err != nil {
		return fmt.Errorf("copy-up into tmpfs volume %s: %w", v.Name, err)
	}
	return nil
}

// remount changes the flags of the tmpfs on dir; its size and mode stay.
func remount(dir string, flags uintptr) error {
	if err := unix.Mount("", dir, "", unix.MS_REMOUNT|flags, ""); err != nil {
		return fmt.Errorf("remount %s: %w", dir, err)
	}
	return nil
}

// moveIn moves the entries of the finished copy done into the volume's
// directory data, gives data the copy's owner, mode and times, and
// removes done. A name that a running container made in data meanwhile
// keeps the container's entry. Run again after a kill, it does the rest.
func moveIn(done, data string) error {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	from, err := unix.Open(done, flags, 0)
	if err != nil {
		return err
	}
	defer unix.Close(from)
	to, err := unix.Open(data, flags, 0)
	if err != nil {
		return err
	}
	defer unix.Close(to)
	f := os.NewFile(uintptr(dupCloexec(from)), done)
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return err
	}
	for _, name := range names {
		err := unix.Renameat2(from, name, to, name, unix.RENAME_NOREPLACE)
		if err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("move %s into the volume: %w", name, err)
		}
	}
	if err := copyMeta(from, to); err != nil {
		return err
	}
	return os.RemoveAll(done)
}

// copyDir copies dir in rootfs into dst; false when dir is not there.
func copyDir(rootfs, dir, dst string) (bool, error) {
	root, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, fmt.Errorf("copy-up: open root: %w", err)
	}
	defer unix.Close(root)
	src, err := unix.Openat2(root, dir, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("copy-up of %s: %w", dir, err)
	}
	defer unix.Close(src)
	out, err := unix.Open(dst, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return false, err
	}
	defer unix.Close(out)
	cp := copier{root: out, links: map[fileID]string{}}
	if err := cp.tree(src, out, "."); err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	return true, copyMeta(src, out)
}

// copier copies one tree into the directory root; links remembers, for
// each source file with more than one link, where in root its first copy
// went, so that the others become links to it.
type copier struct {
	root  int
	links map[fileID]string
}

type fileID struct{ dev, ino uint64 }

// tree copies the entries of directory from into directory to, which is
// rel in the destination; every name is looked up relative to an open
// directory, never followed.
func (cp copier) tree(from, to int, rel string) error {
	f := os.NewFile(uintptr(dupCloexec(from)), "")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := cp.entry(from, to, rel, name); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func dupCloexec(fd int) int {
	n, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return -1
	}
	return n
}

func (cp copier) entry(from, to int, rel, name string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(from, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return err
	}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		if err := unix.Mkdirat(to, name, 0o700); err != nil {
			return err
		}
		return withDirs(from, to, name, func(s, d int) error {
			if err := cp.tree(s, d, path.Join(rel, name)); err != nil {
				return err
			}
			return copyMeta(s, d)
		})
	case unix.S_IFREG:
		if st.Nlink < 2 {
			return copyFile(from, to, name)
		}
		id := fileID{dev: st.Dev, ino: st.Ino}
		if first, ok := cp.links[id]; ok {
			return cp.link(first, to, name)
		}
		cp.links[id] = path.Join(rel, name)
		return copyFile(from, to, name)
	case unix.S_IFLNK:
		target, err := readlinkAt(from, name)
		if err != nil {
			return err
		}
		if err := unix.Symlinkat(target, to, name); err != nil {
			return err
		}
		return unix.Fchownat(to, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW)
	default: // fifos, sockets, device nodes (which a user namespace may refuse)
		if err := unix.Mknodat(to, name, st.Mode, int(st.Rdev)); err != nil {
			return err
		}
		return unix.Fchownat(to, name, int(st.Uid), int(st.Gid), unix.AT_SYMLINK_NOFOLLOW)
	}
}

// link makes name in to a hard link of first, a path in the destination
// that this copy made. No container sees the destination (_copyup) yet;
// still, the path is resolved inside it without following any symlink,
// and linkat(2) links a symlink itself rather than its target, so a
// changed tree could at worst get a link to one of its own files.
func (cp copier) link(first string, to int, name string) error {
	dir, err := unix.Openat2(cp.root, path.Dir(first), &unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_XDEV,
	})
	if err != nil {
		return fmt.Errorf("hard link to %s: %w", first, err)
	}
	defer unix.Close(dir)
	if err := unix.Linkat(dir, path.Base(first), to, name, 0); err != nil {
		return fmt.Errorf("hard link to %s: %w", first, err)
	}
	return nil
}

func withDirs(from, to int, name string, fn func(s, d int) error) error {
	flags := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
	s, err := unix.Openat(from, name, flags, 0)
	if err != nil {
		return err
	}
	defer unix.Close(s)
	d, err := unix.Openat(to, name, flags, 0)
	if err != nil {
		return err
	}
	defer unix.Close(d)
	return fn(s, d)
}

func copyFile(from, to int, name string) error {
	s, err := unix.Openat(from, name, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	in := os.NewFile(uintptr(s), name)
	defer in.Close()
	d, err := unix.Openat(to, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return err
	}
	out := os.NewFile(uintptr(d), name)
	defer out.Close()
	if _, err := io.Copy(out, in); err != nil {
		return err
	}
	return copyMeta(s, d)
}

// copyMeta gives d the owner, mode, extended attributes and times of s.
// The owner goes first: chown clears set-id bits, which the mode then
// restores.
func copyMeta(s, d int) error {
	var st unix.Stat_t
	if err := unix.Fstat(s, &st); err != nil {
		return err
	}
	if err := unix.Fchown(d, int(st.Uid), int(st.Gid)); err != nil {
		return fmt.Errorf("chown to %d:%d: %w", st.Uid, st.Gid, err)
	}
	if err := copyXattrs(s, d); err != nil {
		return err
	}
	if err := unix.Fchmod(d, st.Mode&0o7777); err != nil {
		return err
	}
	times := []unix.Timespec{st.Atim, st.Mtim}
	return unix.UtimesNanoAt(d, "", times, unix.AT_EMPTY_PATH)
}

// copyXattrs copies what a user namespace may set: user.* and the
// namespaced security.capability; trusted.* and the SELinux label belong
// to the host and are left.
func copyXattrs(s, d int) error {
	buf := make([]byte, 64<<10)
	n, err := unix.Flistxattr(s, buf)
	if errors.Is(err, unix.ENOTSUP) || n <= 0 {
		return nil
	}
	if err != nil {
		return err
	}
	for _, key := range strings.Split(strings.TrimRight(string(buf[:n]), "\x00"), "\x00") {
		if !strings.HasPrefix(key, "user.") && key != "security.capability" {
			continue
		}
		val := make([]byte, 64<<10)
		vn, err := unix.Fgetxattr(s, key, val)
		if err != nil {
			return fmt.Errorf("read xattr %s: %w", key, err)
		}
		if err := unix.Fsetxattr(d, key, val[:vn], 0); err != nil {
			return fmt.Errorf("set xattr %s: %w", key, err)
		}
	}
	return nil
}

func readlinkAt(dirFD int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirFD, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}
