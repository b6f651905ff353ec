package container

import (
	"errors"
	"fmt"
	"path"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Mounts are attached through descriptors (open_tree, fsopen, fsmount,
// move_mount): the mount point is opened once, inside the root, and the
// mount lands on exactly that directory. A path looked up twice could be
// swapped for a symlink in between by a process sharing a volume, and the
// mount would land on the host (CVE-2021-30465).

// openMountPoint opens dest inside the root as a directory (dir) or a
// file, creating what is missing. Symlinks resolve as they would in the
// container, never beyond its root, and /proc magic links are refused; a
// dangling symlink on the way has its target created inside the root, as
// a lexical join would.
func openMountPoint(rootFD int, dest string, dir bool) (int, error) {
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: inRoot}
	for tries := 0; tries < 40; tries++ {
		dest = path.Clean("/" + dest)
		fd, err := unix.Openat2(rootFD, dest, how)
		if !errors.Is(err, unix.ENOENT) {
			return fd, err
		}
		next, fd, err := createPath(rootFD, dest, dir)
		if err != nil || fd >= 0 {
			return fd, err
		}
		dest = next // a dangling symlink, or a path that changed under us
	}
	return -1, fmt.Errorf("%s: %w", dest, unix.ELOOP)
}

// createPath creates the missing components of dest. When a component is
// a symlink to nowhere it returns the path through the link's target
// instead, to be tried again.
func createPath(rootFD int, dest string, dir bool) (string, int, error) {
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: inRoot}
	parent, prefix := -1, ""
	parts := strings.Split(strings.TrimPrefix(dest, "/"), "/")
	defer func() {
		if parent >= 0 {
			unix.Close(parent)
		}
	}()
	for i, name := range parts {
		at := rootFD
		if parent >= 0 {
			at = parent
		}
		prefix += "/" + name
		fd, err := unix.Openat2(rootFD, prefix, how)
		if errors.Is(err, unix.ENOENT) {
			if err = createAt(at, name, dir || i < len(parts)-1); err == nil {
				fd, err = unix.Openat2(rootFD, prefix, how)
			}
		}
		if errors.Is(err, unix.ENOENT) {
			target, lerr := readlinkAt(at, name)
			if lerr != nil {
				return dest, -1, nil // changed under us: start over
			}
			rest := strings.Join(parts[i+1:], "/")
			if !path.IsAbs(target) {
				target = path.Join(path.Dir(prefix), target)
			}
			return path.Join(target, rest), -1, nil
		}
		if err != nil {
			return "", -1, err
		}
		if parent >= 0 {
			unix.Close(parent)
		}
		parent = fd
	}
	fd := parent
	parent = -1
	return "", fd, nil
}

func readlinkAt(dirFD int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirFD, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

func createAt(dirFD int, name string, dir bool) error {
	if dir {
		err := unix.Mkdirat(dirFD, name, 0o755)
		if errors.Is(err, unix.EEXIST) {
			return nil
		}
		return err
	}
	fd, err := unix.Openat(dirFD, name, unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_RDONLY|unix.O_CLOEXEC, 0o644)
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	if err == nil {
		unix.Close(fd)
	}
	return err
}

// mountAttrs maps mount(2) flags to the new API's attributes.
func mountAttrs(flags uintptr) uint64 {
	var a uint64
	for ms, attr := range map[uintptr]uint64{
		unix.MS_RDONLY: unix.MOUNT_ATTR_RDONLY, unix.MS_NOSUID: unix.MOUNT_ATTR_NOSUID,
		unix.MS_NODEV: unix.MOUNT_ATTR_NODEV, unix.MS_NOEXEC: unix.MOUNT_ATTR_NOEXEC,
		unix.MS_NOATIME: unix.MOUNT_ATTR_NOATIME, unix.MS_STRICTATIME: unix.MOUNT_ATTR_STRICTATIME,
		unix.MS_RELATIME: unix.MOUNT_ATTR_RELATIME, unix.MS_NODIRATIME: unix.MOUNT_ATTR_NODIRATIME,
	} {
		if flags&ms != 0 {
			a |= attr
		}
	}
	return a
}

// bindTree clones src (with what is mounted below it for rbind) as a
// detached mount with the flags applied, ready to attach.
func bindTree(src string, flags uintptr) (int, error) {
	treeFlags := uint(unix.OPEN_TREE_CLONE | unix.OPEN_TREE_CLOEXEC)
	setFlags := uint(unix.AT_EMPTY_PATH)
	if flags&unix.MS_REC != 0 {
		treeFlags |= unix.AT_RECURSIVE
		setFlags |= unix.AT_RECURSIVE
	}
	tree, err := unix.OpenTree(unix.AT_FDCWD, src, treeFlags)
	if err != nil {
		return -1, fmt.Errorf("bind source %s: %w", src, err)
	}
	if attrs := mountAttrs(flags); attrs != 0 {
		if err := unix.MountSetattr(tree, "", setFlags, &unix.MountAttr{Attr_set: attrs}); err != nil {
			unix.Close(tree)
			return -1, fmt.Errorf("set flags of the bind of %s: %w", src, err)
		}
	}
	return tree, nil
}

// newFilesystem creates a detached mount of a fresh file system.
func newFilesystem(m specs.Mount, flags uintptr, data string) (int, error) {
	fsfd, err := unix.Fsopen(m.Type, unix.FSOPEN_CLOEXEC)
	if err != nil {
		return -1, err
	}
	defer unix.Close(fsfd)
	if m.Source != "" {
		if err := unix.FsconfigSetString(fsfd, "source", m.Source); err != nil {
			return -1, err
		}
	}
	for _, o := range splitData(data) {
		if k, v, ok := strings.Cut(o, "="); ok {
			err = unix.FsconfigSetString(fsfd, k, v)
		} else {
			err = unix.FsconfigSetFlag(fsfd, k)
		}
		if err != nil {
			return -1, fmt.Errorf("option %s: %w", o, err)
		}
	}
	if err := unix.FsconfigCreate(fsfd); err != nil {
		return -1, err
	}
	return unix.Fsmount(fsfd, unix.FSMOUNT_CLOEXEC, int(mountAttrs(flags)))
}

// attach moves a detached mount onto the opened mount point and applies
// the propagation asked for.
func attach(mnt, pointFD int, propagation uintptr) error {
	defer unix.Close(mnt)
	if propagation != 0 {
		setFlags := uint(unix.AT_EMPTY_PATH)
		if propagation&unix.MS_REC != 0 {
			setFlags |= unix.AT_RECURSIVE
		}
		attr := &unix.MountAttr{Propagation: uint64(propagation &^ unix.MS_REC)}
		if err := unix.MountSetattr(mnt, "", setFlags, attr); err != nil {
			return fmt.Errorf("set propagation: %w", err)
		}
	}
	return unix.MoveMount(mnt, "", pointFD, "", unix.MOVE_MOUNT_F_EMPTY_PATH|unix.MOVE_MOUNT_T_EMPTY_PATH)
}

// splitData splits mount data at the commas outside double quotes and
// drops the quotes around a value: an SELinux context="u:r:t:s0:c1,c2"
// holds a comma, and fsconfig takes the value without the quotes that
// mount(2) data needs.
func splitData(data string) []string {
	var out []string
	var cur strings.Builder
	quoted := false
	flush := func() {
		if o := cur.String(); o != "" {
			if k, v, ok := strings.Cut(o, "="); ok && len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
				o = k + "=" + v[1:len(v)-1]
			}
			out = append(out, o)
		}
		cur.Reset()
	}
	for _, r := range data {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ',' && !quoted:
			flush()
			continue
		}
		cur.WriteRune(r)
	}
	flush()
	return out
}
