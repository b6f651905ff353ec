package tests

import (
	"strings"
	"testing"
)

// TestCLICommitFormat: commit --format docker records docker's schema 2
// manifest, oci (the default) an OCI one; the image runs either way.
func TestCLICommitFormat(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "--name", "src", busyboxImage, "sh", "-c", "echo kept > /kept")
	e.ok("commit", "--format", "docker", "src", "asdocker")
	e.ok("commit", "src", "asoci")
	e.ok("commit", "-f", "oci", "src", "asoci2")
	for img, want := range map[string]string{
		"asdocker": "application/vnd.docker.distribution.manifest.v2+json",
		"asoci":    "application/vnd.oci.image.manifest.v1+json",
		"asoci2":   "application/vnd.oci.image.manifest.v1+json",
	} {
		if got := strings.TrimSpace(e.ok("image", "inspect", "--format", "{{.ManifestType}}", img)); got != want {
			t.Errorf("%s: manifest type %q, want %q", img, got, want)
		}
		if got := e.ok("run", "--rm", img, "cat", "/kept"); got != "kept\n" {
			t.Errorf("%s runs: %q", img, got)
		}
	}
	if r := e.burrow("commit", "--format", "v2s1", "src", "bad"); r.code != 125 {
		t.Errorf("--format v2s1: %s", r)
	}
	if r := e.burrow("image", "exists", "bad"); r.code == 0 {
		t.Error("a refused commit left an image")
	}
}
