package tests

import (
	"strings"
	"testing"
)

// TestCLICommitSquash: commit --squash (podman's) makes an image of one
// layer holding the whole root: the base's files, the container's new
// ones, and none it removed; without it the changes are a layer on top.
func TestCLICommitSquash(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "--name", "sq", "box", "sh", "-c", "echo hi > /new && chown 1000:1000 /new && rm /etc/group && mkdir -p /d && echo x > /d/f")
	e.ok("commit", "-q", "sq", "plain")
	e.ok("commit", "-q", "--squash", "sq", "squashed")
	e.ok("commit", "-q", "-s", "sq", "short")

	layers := func(img string) string {
		return strings.TrimSpace(e.ok("image", "inspect", "--format", "{{len .RootFS.Layers}}", img))
	}
	if got := layers("plain"); got != "2" {
		t.Errorf("commit without --squash: %s layers, want the base's and one more", got)
	}
	for _, img := range []string{"squashed", "short"} {
		if got := layers(img); got != "1" {
			t.Errorf("%s: %s layers, want 1", img, got)
		}
		if got := e.ok("run", "--rm", img, "cat", "/new", "/d/f", "/etc/passwd"); !strings.HasPrefix(got, "hi\nx\nroot:") {
			t.Errorf("%s: files of the container and of the base: %q", img, got)
		}
		if got := e.ok("run", "--rm", img, "stat", "-c", "%u:%g", "/new"); got != "1000:1000\n" {
			t.Errorf("%s: /new owned by %q, want 1000:1000 as the container left it", img, got)
		}
		if r := e.burrow("run", "--rm", img, "ls", "/etc/group"); r.code == 0 {
			t.Errorf("%s: /etc/group, removed in the container, is back: %s", img, r)
		}
		hist := e.ok("history", "--format", "{{.CreatedBy}}", img)
		if lines := strings.Split(strings.TrimSpace(hist), "\n"); len(lines) < 2 || lines[0] != "burrow commit" {
			t.Errorf("%s: history %q: want the base's steps kept beside the commit", img, hist)
		}
	}
	// The squashed image is a base of its own: save and load carry it whole.
	e.ok("save", "-o", e.dir+"/sq.tar", "squashed")
	e.ok("rmi", "squashed")
	e.ok("load", "-i", e.dir+"/sq.tar")
	if got := e.ok("run", "--rm", "squashed", "cat", "/new"); got != "hi\n" {
		t.Errorf("squashed image after save/load: %q", got)
	}
}
