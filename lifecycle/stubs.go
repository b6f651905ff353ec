package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// HostPath resolves p inside root as the container would see it and
// returns where that entry is on the host, for a bind mount of it: the
// kernel walks the path scoped to root, so no symlink in it leads out.
func HostPath(root *os.File, p string) (string, error) {
	f, err := openat2(root, p, unix.O_PATH, inRoot)
	if err != nil {
		return "", &os.PathError{Op: "open", Path: p, Err: err}
	}
	defer f.Close()
	return os.Readlink(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
}

// MissingMountPoints gives, for each target, the first component of it
// that root lacks ("" when it has the whole path): what mounting on the
// target will create, and a build step removes again before it commits,
// so that a mount leaves no trace in the layer.
func MissingMountPoints(root *os.File, targets []string) ([]string, error) {
	out := make([]string, len(targets))
	for i, t := range targets {
		t = path.Clean("/" + t)
		for p := "/"; t != "/"; {
			next := path.Join(p, firstComponent(t, p))
			f, err := openat2(root, next, unix.O_PATH|unix.O_NOFOLLOW, inRoot)
			if errors.Is(err, unix.ENOENT) {
				out[i] = next
				break
			}
			if err != nil {
				return nil, &os.PathError{Op: "open", Path: next, Err: err}
			}
			f.Close()
			if next == t {
				break
			}
			p = next
		}
	}
	return out, nil
}

// firstComponent is the component of t that follows its prefix p.
func firstComponent(t, p string) string {
	rest := t[len(p):]
	if len(rest) > 0 && rest[0] == '/' {
		rest = rest[1:]
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] == '/' {
			return rest[:i]
		}
	}
	return rest
}

// RemoveMountPoints removes what MissingMountPoints listed, below target
// and up to it, where each is empty (or a plain file the mount created):
// what the command itself put there stays.
func RemoveMountPoints(root *os.File, created, targets []string) error {
	for i, top := range created {
		if top == "" {
			continue
		}
		t := path.Clean("/" + targets[i])
		for p := t; ; p = path.Dir(p) {
			if err := removeEmpty(root, p); err != nil {
				return err
			}
			if p == top || p == "/" {
				break
			}
		}
	}
	return nil
}

func removeEmpty(root *os.File, p string) error {
	parent, err := openDir(root, path.Dir(p), inRoot)
	if err != nil {
		if errors.Is(err, unix.ENOENT) {
			return nil
		}
		return fmt.Errorf("remove mount point %s: %w", p, err)
	}
	defer parent.Close()
	name := path.Base(p)
	err = unix.Unlinkat(int(parent.Fd()), name, unix.AT_REMOVEDIR)
	if errors.Is(err, unix.ENOTDIR) {
		var st unix.Stat_t
		if unix.Fstatat(int(parent.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Size == 0 {
			err = unix.Unlinkat(int(parent.Fd()), name, 0)
		}
	}
	if err == nil || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTEMPTY) || errors.Is(err, unix.EEXIST) || errors.Is(err, unix.ENOTDIR) {
		return nil
	}
	return fmt.Errorf("remove mount point %s: %w", p, err)
}
