package tests

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestCLISaveSeveral: save puts several images, and several names of one
// image, in one docker-archive that loads back whole.
func TestCLISaveSeveral(t *testing.T) {
	e := detachedEnv(t)
	e.ok("tag", busyboxImage, "second")
	e.ok("run", "--name", "mk", busyboxImage, "sh", "-c", "echo other > /marker")
	e.ok("commit", "mk", "other")
	e.ok("rm", "mk")

	both := filepath.Join(e.dir, "both.tar")
	e.ok("save", "-o", both, busyboxImage, "second")
	multi := filepath.Join(e.dir, "multi.tar")
	e.ok("save", "-m", "-o", multi, busyboxImage, "other", "second")

	e.ok("rmi", "-f", "other", "second") // busybox goes with second: one image
	out := e.ok("load", "-i", multi)
	for _, want := range []string{"busybox", "other", "second"} {
		if !strings.Contains(out, want) {
			t.Errorf("load of the -m archive: %q lacks %s", out, want)
		}
	}
	if got := e.ok("run", "--rm", "other", "cat", "/marker"); got != "other\n" {
		t.Errorf("the loaded image's content: %q", got)
	}
	if got := e.ok("images", "--format", "{{.ID}}", "second"); got != e.ok("images", "--format", "{{.ID}}", busyboxImage) {
		t.Errorf("second and busybox: one image, two names: %q", got)
	}

	e.ok("rmi", "-f", "second")
	out = e.ok("load", "-i", both)
	if !strings.Contains(out, "busybox") || !strings.Contains(out, "second") {
		t.Errorf("load of two names of one image: %q", out)
	}
	if r := e.burrow("save", "-m", "--format", "oci-archive", "-o", filepath.Join(e.dir, "x.tar"), "other", "second"); r.code != 125 {
		t.Errorf("-m with oci-archive: %s", r)
	}
}
