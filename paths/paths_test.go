package paths

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func envOf(vars map[string]string, uid int) Env {
	return Env{Getenv: func(k string) string { return vars[k] }, UID: uid, HostUID: 4242}
}

func TestResolveXDG(t *testing.T) {
	run := t.TempDir() // ours, so a valid XDG_RUNTIME_DIR
	p, err := Resolve(envOf(map[string]string{"XDG_DATA_HOME": "/d", "HOME": "/h", "XDG_RUNTIME_DIR": run}, os.Getuid()))
	if err != nil {
		t.Fatal(err)
	}
	want := Paths{Data: "/d/burrow", GraphRoot: "/d/burrow/storage", RunRoot: run + "/burrow"}
	if p != want {
		t.Errorf("Resolve = %+v, want %+v", p, want)
	}
	p, err = Resolve(envOf(map[string]string{"HOME": "/h", "XDG_RUNTIME_DIR": run}, os.Getuid()))
	if err != nil || p.Data != "/h/.local/share/burrow" || p.GraphRoot != "/h/.local/share/burrow/storage" {
		t.Errorf("without XDG_DATA_HOME: %+v, %v; want ~/.local/share/burrow", p, err)
	}
	if _, err := Resolve(envOf(map[string]string{"XDG_RUNTIME_DIR": run}, os.Getuid())); err == nil || !strings.Contains(err.Error(), "HOME") {
		t.Errorf("neither XDG_DATA_HOME nor HOME: %v", err)
	}
}

// The run root falls back to /tmp/burrow-run-UID, with a warning naming
// the reason and the fix, when XDG_RUNTIME_DIR is unset, missing, a file,
// or somebody else's.
func TestRunRootFallback(t *testing.T) {
	fallback := filepath.Join(os.TempDir(), "burrow-run-4242")
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, dir string
		uid       int
		why       string
	}{
		{"unset", "", os.Getuid(), "XDG_RUNTIME_DIR is not set"},
		{"missing", "/nonexistent-burrow-run", os.Getuid(), "XDG_RUNTIME_DIR=/nonexistent-burrow-run is not a directory owned by you"},
		{"a file", file, os.Getuid(), "is not a directory owned by you"},
		{"another user's", t.TempDir(), os.Getuid() + 1, "is not a directory owned by you"},
	} {
		p, err := Resolve(envOf(map[string]string{"HOME": "/h", "XDG_RUNTIME_DIR": c.dir}, c.uid))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if p.RunRoot != fallback || !strings.Contains(p.Warning, c.why) || !strings.Contains(p.Warning, fallback) || !strings.Contains(p.Warning, "/run/user/4242") {
			t.Errorf("%s: run root %q, warning %q; want %s and a warning saying %q", c.name, p.RunRoot, p.Warning, fallback, c.why)
		}
	}
}

func TestEnsureRunRoot(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := EnsureRunRoot(dir, os.Getuid()); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("run root %v %v; want a 0700 directory", fi, err)
	}
	if err := EnsureRunRoot(dir, os.Getuid()); err != nil {
		t.Errorf("an existing run root of ours: %v", err)
	}
	// Planted by somebody else (here: owned by another uid than the one
	// asked for): refused.
	if err := EnsureRunRoot(dir, os.Getuid()+1); err == nil || !strings.Contains(err.Error(), "another user") {
		t.Errorf("a run root of another user: %v; want it refused", err)
	}
}
