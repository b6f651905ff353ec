package container

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/burrow/burrow/errdefs"

	"golang.org/x/sys/unix"
)

// inRoot resolves like the container's own root would, and refuses the
// /proc magic links (/proc/self/fd/N, /proc/self/cwd) that lead to
// whatever a descriptor points at, on the host included.
const inRoot = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS

// openWorkdir opens the working directory inside the current root,
// creating missing components as docker does, one descriptor at a time:
// nothing is resolved by name twice.
func openWorkdir(cwd string, create bool) (int, error) {
	root, err := unix.Open("/", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open root: %w", err)
	}
	defer unix.Close(root)
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: inRoot}
	if fd, err := unix.Openat2(root, cwd, how); err == nil || !errors.Is(err, unix.ENOENT) || !create {
		if err != nil {
			return -1, fmt.Errorf("working directory %s: %w", cwd, err)
		}
		return fd, nil
	}
	dir, err := unix.Dup(root)
	if err != nil {
		return -1, err
	}
	for _, name := range strings.Split(path.Clean("/"+cwd), "/") {
		if name == "" || name == "." {
			continue
		}
		next, err := unix.Openat2(dir, name, how)
		if errors.Is(err, unix.ENOENT) {
			if err = unix.Mkdirat(dir, name, 0o755); err == nil || errors.Is(err, unix.EEXIST) {
				next, err = unix.Openat2(dir, name, how)
			}
		}
		unix.Close(dir)
		if err != nil {
			return -1, fmt.Errorf("create working directory %s: %w", cwd, err)
		}
		dir = next
	}
	return dir, nil
}

// enterWorkdir changes into the opened directory and checks that it lies
// under the root: a directory reached outside it has no path from there,
// and getcwd says so.
func enterWorkdir(fd int, cwd string) error {
	defer unix.Close(fd)
	if err := unix.Fchdir(fd); err != nil {
		return fmt.Errorf("enter working directory %s: %w", cwd, err)
	}
	wd, err := unix.Getwd()
	if err != nil || !strings.HasPrefix(wd, "/") {
		return fmt.Errorf("working directory %s lies outside the container: %w", cwd, errdefs.ErrInvalidArgument)
	}
	return nil
}
