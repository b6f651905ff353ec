package volume

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// IsTmpfs says whether the volume is a tmpfs (-o type=tmpfs): one tmpfs,
// mounted on the volume's directory while containers use it and shared
// by them, as docker's local driver does; its content goes with the last
// of them.
func (v Volume) IsTmpfs() bool { return v.Options["type"] == TypeTmpfs }

// MountTmpfs mounts the tmpfs of volume v on its directory, in the
// calling process's mount namespace (burrow's, from which every
// container's is made). With fresh, whatever is mounted there goes first:
// the mount of a container that nobody unmounted because its burrow was
// killed, whose files are not the next user's. Without it, a tmpfs that
// is there is kept.
func MountTmpfs(v Volume, fresh bool) error {
	if fresh {
		if err := UnmountTmpfs(v); err != nil {
			return err
		}
	} else if on, err := mounted(v.Mountpoint); err != nil || on {
		return err
	}
	flags, data, err := tmpfsMountOptions(v.Options["o"])
	if err != nil {
		return err
	}
	if err := unix.Mount("tmpfs", v.Mountpoint, "tmpfs", flags, data); err != nil {
		return fmt.Errorf("mount the tmpfs of volume %s (%s): %w", v.Name, data, err)
	}
	return nil
}

// UnmountTmpfs takes every mount off the volume's directory (a killed
// command may have left more than one); none is nothing.
func UnmountTmpfs(v Volume) error {
	return unmountAll(v.Mountpoint)
}

// unmountAll asks first, so that a process without the right to
// unmount (a test, a volume never mounted) is not refused for nothing.
func unmountAll(dir string) error {
	for {
		on, err := mounted(dir)
		if errors.Is(err, fs.ErrNotExist) || err == nil && !on {
			return nil
		}
		if err == nil {
			err = unix.Unmount(dir, unix.MNT_DETACH)
		}
		if err != nil {
			return fmt.Errorf("unmount %s: %w", dir, err)
		}
	}
}

// mounted says whether dir is the root of a mount other than its
// parent's: a tmpfs on the volume's directory has a device of its own.
func mounted(dir string) (bool, error) {
	var st, parent unix.Stat_t
	if err := unix.Lstat(dir, &st); err != nil {
		return false, err
	}
	if err := unix.Lstat(filepath.Dir(dir), &parent); err != nil {
		return false, err
	}
	return st.Dev != parent.Dev, nil
}

// tmpfsMountOptions splits a volume's o= list into mount flags and the
// tmpfs's data; nosuid and nodev unless o= says suid or dev.
func tmpfsMountOptions(o string) (uintptr, string, error) {
	opts, err := TmpfsOptions(o)
	if err != nil {
		return 0, "", err
	}
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV)
	var data []string
	for _, kv := range opts {
		switch kv {
		case "noexec":
			flags |= unix.MS_NOEXEC
		case "exec":
			flags &^= unix.MS_NOEXEC
		case "nosuid":
			flags |= unix.MS_NOSUID
		case "suid":
			flags &^= unix.MS_NOSUID
		case "nodev":
			flags |= unix.MS_NODEV
		case "dev":
			flags &^= unix.MS_NODEV
		case "ro":
			flags |= unix.MS_RDONLY
		case "rw":
			flags &^= unix.MS_RDONLY
		default:
			data = append(data, kv)
		}
	}
	return flags, strings.Join(data, ","), nil
}
