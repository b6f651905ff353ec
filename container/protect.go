package container

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// protectBinary makes the helper binary read-only in the holder's mount
// namespace, where every container's mount namespace is copied from.
// A process in a container can reach the binary of any burrow process
// that runs there (the --init reaper, the exec helper, or an interpreter
// line naming /proc/self/exe) through /proc/PID/exe; container root is
// the user, so a binary the user owns would be writable through that link
// (CVE-2019-5736) unless the mount it was executed from is read-only.
// A file the user cannot write needs nothing. The bind is on the file
// itself: a rebuilt binary renamed over the path is a new file and is
// bound again by the next command. It costs one statfs per command.
func protectBinary(path string) error {
	var st unix.Statfs_t
	if err := unix.Statfs(path, &st); err != nil {
		return fmt.Errorf("helper binary %s: %w", path, err)
	}
	if st.Flags&unix.ST_RDONLY != 0 {
		return nil
	}
	if err := unix.Faccessat(unix.AT_FDCWD, path, unix.W_OK, unix.AT_EACCESS); err != nil {
		if errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM) || errors.Is(err, unix.EROFS) {
			return nil
		}
		return fmt.Errorf("helper binary %s: %w", path, err)
	}
	if err := unix.Mount(path, path, "", unix.MS_BIND, ""); err != nil {
		return fmt.Errorf("bind helper binary %s read-only: %w", path, err)
	}
	locked := uintptr(st.Flags) & (unix.MS_NOSUID | unix.MS_NODEV)
	if err := unix.Mount("", path, "", unix.MS_REMOUNT|unix.MS_BIND|unix.MS_RDONLY|locked, ""); err != nil {
		return fmt.Errorf("make helper binary %s read-only: %w", path, err)
	}
	return nil
}
