package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCpShapes: docker cp's rules both ways — into an existing directory
// or as a new name, whole trees with their modes, symlinks inside a tree
// copied as links while the named source is followed, missing parents of
// a directory made — and errors in the user's terms.
func TestCpShapes(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "files", busyboxImage, "sh", "-c",
		"mkdir -p /src/sub /into && echo a > /src/a && echo b > /src/sub/b && ln -s /etc/passwd /src/abs && "+
			"ln -s a /src/rel && ln -s /src/a /toplink && touch /ready && sleep 1000")
	if !waitFor(10*time.Second, func() bool { return e.burrow("exec", "files", "test", "-e", "/ready").code == 0 }) {
		t.Fatal("container never set up its files")
	}
	t.Run("out", func(t *testing.T) { cpOut(t, e.forTest(t)) })
	t.Run("in", func(t *testing.T) { cpIn(t, e.forTest(t)) })
	t.Run("errors", func(t *testing.T) { cpErrors(t, e.forTest(t)) })
}

func cpOut(t *testing.T, e *env) {
	host := t.TempDir()
	e.ok("cp", "files:/src", filepath.Join(host, "out"))
	e.ok("cp", "files:/src", host)
	e.ok("cp", "files:/toplink", filepath.Join(host, "top"))
	for _, tree := range []string{"out", "src"} {
		dir := filepath.Join(host, tree)
		wantFile(t, filepath.Join(dir, "a"), "a\n")
		wantFile(t, filepath.Join(dir, "sub", "b"), "b\n")
		for name, want := range map[string]string{"abs": "/etc/passwd", "rel": "a"} {
			if got, err := os.Readlink(filepath.Join(dir, name)); err != nil || got != want {
				t.Errorf("%s/%s should stay a link to %q: %q %v", tree, name, want, got, err)
			}
		}
	}
	// The named source is followed (docker's rule), its target copied.
	if fi, err := os.Lstat(filepath.Join(host, "top")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("cp of a top-level symlink should copy its target: %v %v", fi, err)
	}
	wantFile(t, filepath.Join(host, "top"), "a\n")
}

func cpIn(t *testing.T, e *env) {
	host := filepath.Join(t.TempDir(), "htree")
	if err := os.MkdirAll(filepath.Join(host, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(host, "x"), "x\n", 0o750)
	writeFile(t, filepath.Join(host, "sub", "y"), "y\n", 0o644)
	if err := os.Symlink("/etc/passwd", filepath.Join(host, "link")); err != nil {
		t.Fatal(err)
	}
	e.ok("cp", host, "files:/into")
	e.ok("cp", host, "files:/made/on/the/way")
	e.ok("cp", filepath.Join(host, "x"), "files:/into/renamed")
	writeFile(t, filepath.Join(host, "sub", "y"), "y again\n", 0o644)
	e.ok("cp", filepath.Join(host, "sub", "y"), "files:/into/renamed")
	out := e.ok("exec", "files", "sh", "-c", "cat /into/htree/x /into/htree/sub/y /made/on/the/way/x /into/renamed; "+
		"readlink /into/htree/link; stat -c %a /into/htree/x /into/renamed")
	if want := "x\ny\nx\ny again\n/etc/passwd\n750\n644\n"; out != want {
		t.Errorf("copied into the container:\n%s\nwant:\n%s", out, want)
	}
}

func cpErrors(t *testing.T, e *env) {
	host := t.TempDir()
	src := filepath.Join(host, "f")
	writeFile(t, src, "f\n", 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"cp", "files:/nope", host}, `"/nope" could not be found on container files`},
		{[]string{"cp", src, "files:/missing/f"}, `"/missing" could not be found on container files`},
		{[]string{"cp", src, "files:/src/a/"}, `"/src/a"`},
	} {
		r := e.burrow(c.args...)
		if r.code != 125 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("burrow %v: %s\nwant exit 125 and %q", c.args, r, c.want)
		}
		// The overlay path is burrow's business, not the user's.
		if strings.Contains(r.stderr, e.dir) {
			t.Errorf("burrow %v names burrow's store: %s", c.args, r.stderr)
		}
	}
}

func wantFile(t *testing.T, path, want string) {
	t.Helper()
	if data, err := os.ReadFile(path); err != nil || string(data) != want {
		t.Errorf("%s: %q %v; want %q", path, data, err, want)
	}
}

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
