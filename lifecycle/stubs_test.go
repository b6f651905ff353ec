package lifecycle

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestMountPoints: what a mount creates is found before and removed
// after, and what the command put beside it stays.
func TestMountPoints(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "run"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(dir, "escape")); err != nil {
		t.Fatal(err)
	}
	root, err := os.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	targets := []string{"/run/secrets/a", "/run", "/cache/x/y", "/escape/passwd"}
	created, err := MissingMountPoints(root, targets)
	if err != nil {
		t.Fatal(err)
	}
	// /escape/passwd resolves inside the root: /etc is not there.
	if want := []string{"/run/secrets", "", "/cache", "/escape/passwd"}; !reflect.DeepEqual(created, want) {
		t.Fatalf("missing %q, want %q", created, want)
	}
	for _, d := range []string{"run/secrets", "cache/x/y", "cache/kept"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "run/secrets/a"), nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if err := RemoveMountPoints(root, created, targets); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{"run": true, "run/secrets": false, "cache/x": false, "cache/kept": true} {
		if _, err := os.Lstat(filepath.Join(dir, p)); (err == nil) != want {
			t.Errorf("%s exists: %v, want %v", p, err == nil, want)
		}
	}
	if err := os.Symlink("/run", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	host, err := HostPath(root, "/link")
	if err != nil || host != filepath.Join(dir, "run") {
		t.Errorf("HostPath: %q %v", host, err)
	}
}
