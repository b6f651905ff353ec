// Package paths decides where burrow keeps its data and run-time state,
// from the XDG variables, with a safe fallback when XDG_RUNTIME_DIR is
// missing or not the user's.
package paths

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// Paths are burrow's directories for one user.
type Paths struct {
	Data      string // $XDG_DATA_HOME/burrow
	GraphRoot string // image and container layers
	RunRoot   string // $XDG_RUNTIME_DIR/burrow: holder record, locks, mounts
	Warning   string // set when RunRoot is a fallback, with the fix
}

// Env is the process environment as parameters, so tests can vary it.
type Env struct {
	Getenv  func(string) string
	UID     int // the uid as seen by this process (0 inside the namespace)
	HostUID int // the user's uid on the host, for naming the fallback
}

// Resolve computes the paths; it creates nothing but the fallback run root.
func Resolve(env Env) (Paths, error) {
	data := env.Getenv("XDG_DATA_HOME")
	if data == "" {
		home := env.Getenv("HOME")
		if home == "" {
			return Paths{}, fmt.Errorf("neither XDG_DATA_HOME nor HOME is set: burrow cannot tell where to keep images")
		}
		data = filepath.Join(home, ".local", "share")
	}
	p := Paths{Data: filepath.Join(data, "burrow")}
	p.GraphRoot = filepath.Join(p.Data, "storage")
	p.RunRoot, p.Warning = runRoot(env)
	return p, nil
}

func runRoot(env Env) (string, string) {
	dir := env.Getenv("XDG_RUNTIME_DIR")
	if dir != "" && ownedBy(dir, env.UID) {
		return filepath.Join(dir, "burrow"), ""
	}
	fallback := filepath.Join(os.TempDir(), fmt.Sprintf("burrow-run-%d", env.HostUID))
	why := "XDG_RUNTIME_DIR is not set"
	if dir != "" {
		why = fmt.Sprintf("XDG_RUNTIME_DIR=%s is not a directory owned by you", dir)
	}
	return fallback, fmt.Sprintf("%s; using %s instead (log in through a PAM session, or `sudo loginctl enable-linger $USER`, to get /run/user/%d)", why, fallback, env.HostUID)
}

func ownedBy(dir string, uid int) bool {
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == uid
}

// EnsureRunRoot creates the run root private to the user and refuses one
// that somebody else made first (a fallback under /tmp could be planted).
func EnsureRunRoot(dir string, uid int) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !os.IsExist(err) {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	if !ownedBy(dir, uid) {
		return fmt.Errorf("%s belongs to another user: remove it or set XDG_RUNTIME_DIR", dir)
	}
	return nil
}
