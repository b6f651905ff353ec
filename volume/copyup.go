package volume

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// CopyUp copies what the image has at dir (resolved inside rootfs, as the
// container would see it) into the empty directory dst, keeping owners,
// modes, times and extended attributes; dst itself takes dir's owner and
// mode. A dir that is missing or not a directory copies nothing. Hard
// links become separate copies. The caller runs inside burrow's user
// namespace, where every mapped owner can be set.
func CopyUp(rootfs, dir, dst string) error {
	root, err := unix.Open(rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("copy-up: open root: %w", err)
	}
	defer unix.Close(root)
	src, err := unix.Openat2(root, dir, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	})
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("copy-up of %s: %w", dir, err)
	}
	defer unix.Close(src)
	out, err := unix.Open(dst, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("copy-up into %s: %w", dst, err)
	}
	defer unix.Close(out)
	if err := copyTree(src, out); err != nil {
		return fmt.Errorf("copy-up of %s: %w", dir, err)
	}
	return copyMeta(src, out)
}

// copyTree copies the entries of directory from into directory to; every
// name is looked up relative to an open directory, never followed.
func copyTree(from, to int) error {
	f := os.NewFile(uintptr(dupCloexec(from)), "")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		if err := copyEntry(from, to, name); err != nil {
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

func copyEntry(from, to int, name string) error {
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
			if err := copyTree(s, d); err != nil {
				return err
			}
			return copyMeta(s, d)
		})
	case unix.S_IFREG:
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
