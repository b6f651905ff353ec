package lifecycle

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

func TestResolveOwner(t *testing.T) {
	dir := t.TempDir()
	rootDir := filepath.Join(dir, "root")
	must(t, os.MkdirAll(filepath.Join(rootDir, "etc"), 0o755))
	must(t, os.WriteFile(filepath.Join(rootDir, "etc/passwd"), []byte("root:x:0:0::/root:/bin/sh\napp:x:1234:2345::/home/app:/bin/sh\n"), 0o644))
	// /etc/group escapes to the host by an absolute symlink: it must
	// resolve inside the root, where it names this file.
	must(t, os.WriteFile(filepath.Join(rootDir, "groups"), []byte("root:x:0:\nstaff:x:50:\n"), 0o644))
	must(t, os.Symlink("/groups", filepath.Join(rootDir, "etc/group")))
	root, err := os.Open(rootDir)
	must(t, err)
	defer root.Close()
	for spec, want := range map[string]Owner{
		"app": {1234, 2345}, "app:staff": {1234, 50}, "app:7": {1234, 7},
		"10": {10, 10}, "10:staff": {10, 50}, "10:20": {10, 20}, "root:root": {0, 0},
	} {
		got, err := ResolveOwner(root, spec)
		if err != nil || got != want {
			t.Errorf("%s: %v %v, want %v", spec, got, err, want)
		}
	}
	for _, bad := range []string{"nobody", "app:wheel", ":1"} {
		if _, err := ResolveOwner(root, bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
