package container

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// setupRootfs builds the container's tree under spec.Root.Path while the
// init still sees the holder's mounts (so bind sources resolve on the host).
func setupRootfs(spec *specs.Spec) error {
	root := spec.Root.Path
	// Slave, not private: nothing we mount leaks back into the holder's
	// namespace, and a bind asked to follow its source (rslave) has a
	// master to follow. Binds without a propagation become private.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts rslave: %w", err)
	}
	// pivot_root needs the new root to be a mount point of its own.
	if err := unix.Mount(root, root, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind rootfs %s: %w", root, err)
	}
	rootFD, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open rootfs %s: %w", root, err)
	}
	defer unix.Close(rootFD)
	for _, m := range spec.Mounts {
		if err := mountOne(rootFD, m); err != nil {
			return err
		}
	}
	if spec.Linux != nil {
		for _, d := range spec.Linux.Devices {
			m := specs.Mount{Destination: d.Path, Source: d.Path, Type: "bind", Options: []string{"bind"}}
			if err := mountOne(rootFD, m); err != nil {
				return fmt.Errorf("device %s: %w", d.Path, err)
			}
		}
	}
	return devLinks(root)
}

// mountFlags maps the OCI option words we accept to mount flags.
var mountFlags = map[string]uintptr{
	"ro": unix.MS_RDONLY, "nosuid": unix.MS_NOSUID, "nodev": unix.MS_NODEV,
	"noexec": unix.MS_NOEXEC, "strictatime": unix.MS_STRICTATIME, "relatime": unix.MS_RELATIME,
	"noatime": unix.MS_NOATIME, "bind": unix.MS_BIND, "rbind": unix.MS_BIND | unix.MS_REC,
}

var propagationFlags = map[string]uintptr{
	"private": unix.MS_PRIVATE, "rprivate": unix.MS_PRIVATE | unix.MS_REC,
	"slave": unix.MS_SLAVE, "rslave": unix.MS_SLAVE | unix.MS_REC,
	"shared": unix.MS_SHARED, "rshared": unix.MS_SHARED | unix.MS_REC,
}

func parseOptions(opts []string) (flags, propagation uintptr, data string) {
	var extra []string
	for _, o := range opts {
		if f, ok := mountFlags[o]; ok {
			flags |= f
		} else if p, ok := propagationFlags[o]; ok {
			propagation |= p
		} else if o != "rw" {
			extra = append(extra, o)
		}
	}
	return flags, propagation, strings.Join(extra, ",")
}

func mountOne(rootFD int, m specs.Mount) error {
	flags, propagation, data := parseOptions(m.Options)
	var mnt int
	var err error
	dir := true
	if flags&unix.MS_BIND != 0 {
		fi, serr := os.Stat(m.Source)
		if serr != nil {
			return fmt.Errorf("bind source %s: %w", m.Source, serr)
		}
		dir = fi.IsDir()
		mnt, err = bindTree(m.Source, flags)
		if propagation == 0 {
			propagation = unix.MS_PRIVATE | unix.MS_REC // docker's rprivate
		}
	} else {
		mnt, err = newFilesystem(m, flags, data)
		if err != nil && m.Type == "sysfs" && errors.Is(err, unix.EPERM) {
			// The kernel refuses a fresh sysfs when parts of the host's are
			// covered; a read-only recursive bind shows the same tree.
			mnt, err = bindTree("/sys", unix.MS_BIND|unix.MS_REC|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC)
		}
		if err != nil {
			err = fmt.Errorf("mount %s on %s: %w", m.Type, m.Destination, err)
		}
	}
	if err != nil {
		return err
	}
	point, err := openMountPoint(rootFD, m.Destination, dir)
	if err != nil {
		unix.Close(mnt)
		return fmt.Errorf("mount point %s: %w", m.Destination, err)
	}
	defer unix.Close(point)
	if err := sameKind(point, dir); err != nil {
		unix.Close(mnt)
		return fmt.Errorf("create mount point %s: %w", m.Destination, err)
	}
	if err := attach(mnt, point, propagation); err != nil {
		return fmt.Errorf("mount on %s: %w", m.Destination, err)
	}
	return nil
}

func remount(dst string, flags uintptr) error {
	var st unix.Statfs_t
	if err := unix.Statfs(dst, &st); err != nil {
		return fmt.Errorf("statfs %s: %w", dst, err)
	}
	locked := uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RDONLY | unix.MS_NOATIME | unix.MS_RELATIME | unix.MS_NODIRATIME)
	if err := unix.Mount("", dst, "", unix.MS_REMOUNT|unix.MS_BIND|flags|locked, ""); err != nil {
		return fmt.Errorf("remount %s: %w", dst, err)
	}
	return nil
}

func devLinks(root string) error {
	links := [][2]string{
		{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
		{"/proc/self/fd/2", "stderr"}, {"pts/ptmx", "ptmx"},
	}
	for _, l := range links {
		err := os.Symlink(l[0], filepath.Join(root, "dev", l[1]))
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("create /dev/%s: %w", l[1], err)
		}
	}
	return nil
}

// enterRootfs makes the prepared tree the root, then hides what the
// container must not read or write.
func enterRootfs(spec *specs.Spec) error {
	if err := pivotRoot(spec.Root.Path); err != nil {
		return err
	}
	if spec.Linux != nil {
		if err := writeSysctls(spec.Linux.Sysctl); err != nil {
			return err
		}
		if err := maskPaths(spec.Linux.MaskedPaths); err != nil {
			return err
		}
		if err := readonlyPaths(spec.Linux.ReadonlyPaths); err != nil {
			return err
		}
	}
	if spec.Root.Readonly {
		if err := remount("/", unix.MS_RDONLY); err != nil {
			return fmt.Errorf("make root read-only: %w", err)
		}
	}
	return nil
}

// pivotRoot uses pivot_root(".", "."): the old root ends up stacked under
// the new one and is detached at once, so no directory is needed for it.
func pivotRoot(root string) error {
	if err := unix.Chdir(root); err != nil {
		return fmt.Errorf("enter rootfs: %w", err)
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}

func maskPaths(paths []string) error {
	for _, p := range paths {
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
		if fi.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY, "size=0")
		} else {
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	return nil
}

func readonlyPaths(paths []string) error {
	for _, p := range paths {
		if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue
			}
			return fmt.Errorf("bind %s read-only: %w", p, err)
		}
		if err := remount(p, unix.MS_RDONLY); err != nil {
			return err
		}
	}
	return nil
}

// sameKind refuses a directory over a file and a file over a directory,
// which move_mount would report only as ENOTDIR.
func sameKind(fd int, dir bool) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	isDir := st.Mode&unix.S_IFMT == unix.S_IFDIR
	switch {
	case dir && !isDir:
		return errors.New("it is a file in the image and the source a directory")
	case !dir && isDir:
		return errors.New("it is a directory in the image and the source a file")
	}
	return nil
}
