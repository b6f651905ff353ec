package lifecycle

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/burrow/burrow/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	"github.com/moby/sys/user"
)

// hostPasswd is the host's account database; a parameter for tests.
var hostPasswd = "/etc/passwd"

// withHostUsers writes the container's /etc/passwd for --hostuser: the
// image's own, then each named host account (a name or a UID that must
// exist on the host) that the image does not already have by name, as
// podman does. It returns the file to bind onto /etc/passwd, or "" when
// no host user was asked for.
func withHostUsers(rootfs, runDir string, names []string) (string, error) {
	if len(names) == 0 {
		return "", nil
	}
	imagePath, err := securejoin.SecureJoin(rootfs, "/etc/passwd")
	if err != nil {
		return "", err
	}
	base, err := os.ReadFile(imagePath)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read the image's /etc/passwd: %w", err)
	}
	have, err := user.ParsePasswd(bytes.NewReader(base))
	if err != nil {
		return "", fmt.Errorf("parse the image's /etc/passwd: %w", err)
	}
	out := bytes.NewBuffer(base)
	if len(base) > 0 && base[len(base)-1] != '\n' {
		out.WriteByte('\n')
	}
	for _, name := range names {
		u, err := hostAccount(name)
		if err != nil {
			return "", err
		}
		if hasUser(have, u.Name) {
			continue
		}
		fmt.Fprintf(out, "%s:x:%d:%d:%s:%s:%s\n", u.Name, u.Uid, u.Gid, u.Gecos, u.Home, u.Shell)
		have = append(have, u)
	}
	file := filepath.Join(runDir, "passwd")
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write /etc/passwd for the container: %w", err)
	}
	return file, nil
}

// hostAccount finds a host account by name, or by UID when name is a number.
func hostAccount(name string) (user.User, error) {
	uid, numeric := number(name)
	found, err := user.ParsePasswdFileFilter(hostPasswd, func(u user.User) bool {
		return u.Name == name || numeric && u.Uid == uid
	})
	if err != nil {
		return user.User{}, fmt.Errorf("--hostuser %s: read the host's %s: %w", name, hostPasswd, err)
	}
	for _, u := range found { // a name wins over a UID that looks like it
		if u.Name == name {
			return u, nil
		}
	}
	if len(found) == 0 {
		return user.User{}, fmt.Errorf("%w: --hostuser %s: no such user on the host (in %s)", errdefs.ErrInvalidArgument, name, hostPasswd)
	}
	return found[0], nil
}

func hasUser(users []user.User, name string) bool {
	for _, u := range users {
		if u.Name == name {
			return true
		}
	}
	return false
}
