package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/moby/sys/user"
	"golang.org/x/sys/unix"
)

// ResolveOwner turns a COPY --chown value (USER[:GROUP], each a name or a
// number) into numbers, reading the image's own /etc/passwd and
// /etc/group through root: a symlinked file resolves inside the root, never
// on the host. A user alone takes its primary group when named, its own
// number as the group when numeric, as docker and buildah do.
func ResolveOwner(root *os.File, spec string) (Owner, error) {
	u, g, hasGroup := strings.Cut(spec, ":")
	if u == "" || (hasGroup && g == "") {
		return Owner{}, fmt.Errorf("%w: --chown=%s: want USER[:GROUP]", errdefs.ErrInvalidArgument, spec)
	}
	uid, gid, err := lookupUser(root, u)
	if err != nil {
		return Owner{}, fmt.Errorf("--chown=%s: %w", spec, err)
	}
	if hasGroup {
		if gid, err = lookupGroup(root, g); err != nil {
			return Owner{}, fmt.Errorf("--chown=%s: %w", spec, err)
		}
	}
	return Owner{UID: uid, GID: gid}, nil
}

func lookupUser(root *os.File, name string) (uid, gid int, err error) {
	if n, ok := number(name); ok {
		return n, n, nil
	}
	var users []user.User
	err = readEtc(root, "etc/passwd", func(r io.Reader) (err error) {
		users, err = user.ParsePasswdFilter(r, func(u user.User) bool { return u.Name == name })
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	if len(users) == 0 {
		return 0, 0, fmt.Errorf("%w: no user %q in the image's /etc/passwd", errdefs.ErrInvalidArgument, name)
	}
	return users[0].Uid, users[0].Gid, nil
}

func lookupGroup(root *os.File, name string) (int, error) {
	if n, ok := number(name); ok {
		return n, nil
	}
	var groups []user.Group
	err := readEtc(root, "etc/group", func(r io.Reader) (err error) {
		groups, err = user.ParseGroupFilter(r, func(g user.Group) bool { return g.Name == name })
		return err
	})
	if err != nil {
		return 0, err
	}
	if len(groups) == 0 {
		return 0, fmt.Errorf("%w: no group %q in the image's /etc/group", errdefs.ErrInvalidArgument, name)
	}
	return groups[0].Gid, nil
}

func number(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0
}

// readEtc opens p inside root and hands it to parse; a missing file is
// an empty one (an image without /etc/passwd has no named users).
func readEtc(root *os.File, p string, parse func(io.Reader) error) error {
	// O_NONBLOCK: a FIFO planted there must not hang the build.
	f, err := openat2(root, p, unix.O_RDONLY|unix.O_NONBLOCK, inRoot)
	if errors.Is(err, fs.ErrNotExist) {
		return parse(strings.NewReader(""))
	}
	if err != nil {
		return fmt.Errorf("open the image's /%s: %w", p, err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return fmt.Errorf("%w: the image's /%s is not a regular file", errdefs.ErrInvalidArgument, p)
	}
	return parse(f)
}
