package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
)

// UserEntries are podman's --passwd, --passwd-entry and --group-entry.
type UserEntries struct {
	// Skip is --passwd=false: the image's files stay as they are.
	Skip bool
	// Passwd and Group are the lines' templates ("" podman's), with
	// $USERNAME, $UID, $GID, $NAME, $HOME and $GROUPNAME, $USERLIST.
	Passwd, Group string
}

const (
	defaultPasswdEntry = "$USERNAME:*:$UID:$GID:$NAME:$HOME:/bin/sh"
	defaultGroupEntry  = "$GROUPNAME:x:$GID:$USERLIST"
)

// userFiles gives a --user the image's /etc/passwd (or /etc/group) does
// not list a line there, as podman does, so that programs that look their
// user up (whoami, ssh, git) find one: a copy of the image's file with
// the line added, in the run directory, for /etc/passwd and /etc/group.
func userFiles(rootfs, runDir string, u *user.ExecUser, o UserEntries, passwd string) (map[string]string, error) {
	out := map[string]string{}
	if o.Skip {
		return out, nil
	}
	name := strconv.Itoa(u.Uid)
	vars := map[string]string{"USERNAME": name, "NAME": name, "UID": strconv.Itoa(u.Uid), "GID": strconv.Itoa(u.Gid),
		"HOME": u.Home, "GROUPNAME": strconv.Itoa(u.Gid), "USERLIST": name}
	files := []struct {
		path, template string
		known          func(path string) (bool, error)
	}{
		{"/etc/passwd", pick(o.Passwd, defaultPasswdEntry), func(p string) (bool, error) {
			found, err := user.ParsePasswdFileFilter(p, func(e user.User) bool { return e.Uid == u.Uid })
			return len(found) > 0, err
		}},
		{"/etc/group", pick(o.Group, defaultGroupEntry), func(p string) (bool, error) {
			found, err := user.ParseGroupFileFilter(p, func(g user.Group) bool { return g.Gid == u.Gid })
			return len(found) > 0, err
		}},
	}
	for _, f := range files {
		in, err := securejoin.SecureJoin(rootfs, f.path)
		if err != nil {
			return nil, err
		}
		if f.path == "/etc/passwd" && passwd != "" {
			in = passwd // --hostuser's
		}
		known, err := f.known(in)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read the image's %s: %w", f.path, err)
		}
		if known {
			continue
		}
		data, err := os.ReadFile(in)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("read the image's %s: %w", f.path, err)
		}
		if len(data) > 0 && data[len(data)-1] != '\n' {
			data = append(data, '\n')
		}
		line := os.Expand(f.template, func(k string) string { return vars[k] })
		data = append(data, strings.TrimRight(line, "\n")+"\n"...)
		dst := filepath.Join(runDir, filepath.Base(f.path))
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return nil, fmt.Errorf("write %s for the container: %w", f.path, err)
		}
		out[f.path] = dst
	}
	return out, nil
}

func pick(v, def string) string {
	if v != "" {
		return v
	}
	return def
}
