package volume

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Chown gives dir and everything below it to uid:gid (the :U option),
// walking by descriptors so a symlink swapped in by a container cannot
// redirect it; symlinks themselves are chowned, never followed.
func Chown(dir string, uid, gid int) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("chown %s: %w", dir, err)
	}
	defer unix.Close(fd)
	if err := chownTree(fd, uid, gid); err != nil {
		return fmt.Errorf("chown %s: %w", dir, err)
	}
	return nil
}

func chownTree(fd, uid, gid int) error {
	if err := unix.Fchown(fd, uid, gid); err != nil {
		return err
	}
	f := os.NewFile(uintptr(dupCloexec(fd)), "")
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, name := range names {
		sub, err := unix.Openat(fd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err == nil {
			err = chownTree(sub, uid, gid)
			unix.Close(sub)
		} else if err == unix.ENOTDIR || err == unix.ELOOP {
			err = unix.Fchownat(fd, name, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}
