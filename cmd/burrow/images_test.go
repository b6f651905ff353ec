package main

import "testing"

func TestSplitName(t *testing.T) {
	const dgst = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		name, repo, tag string
	}{
		{"localhost/busybox:latest", "localhost/busybox", "latest"},
		{"docker.io/library/busybox:1.36.1", "docker.io/library/busybox", "1.36.1"},
		{"localhost:5000/busybox:v1", "localhost:5000/busybox", "v1"},
		{"localhost:5000/team/busybox", "localhost:5000/team/busybox", "<none>"}, // the port is not a tag
		{"registry.example.com:443/a/b/c:x_y-z", "registry.example.com:443/a/b/c", "x_y-z"},
		{"localhost/busybox", "localhost/busybox", "<none>"},
		{"busybox", "busybox", "<none>"},
		{"busybox:1", "busybox", "1"},
		{"docker.io/library/busybox@" + dgst, "docker.io/library/busybox", "<none>"},
		{"localhost:5000/busybox@" + dgst, "localhost:5000/busybox", "<none>"},
		{"<none>:<none>", "<none>", "<none>"}, // what imageRows uses for an unnamed image
	}
	for _, c := range cases {
		repo, tag := splitName(c.name)
		if repo != c.repo || tag != c.tag {
			t.Errorf("splitName(%q) = %q, %q; want %q, %q", c.name, repo, tag, c.repo, c.tag)
		}
	}
}

func TestMatchReference(t *testing.T) {
	cases := []struct {
		pattern, repo, tag string
		want               bool
	}{
		{"busybox", "localhost/busybox", "latest", true},
		{"busy*", "docker.io/library/busybox", "1.0", true},
		{"busybox:1.0", "docker.io/library/busybox", "1.0", true},
		{"busybox:2.0", "docker.io/library/busybox", "1.0", false},
		{"quay.io/x/*", "quay.io/x/tool", "v1", true},
		{"alpine", "localhost/busybox", "latest", false},
	}
	for _, c := range cases {
		if got := matchReference(c.pattern, c.repo, c.tag); got != c.want {
			t.Errorf("matchReference(%q, %q, %q) = %v, want %v", c.pattern, c.repo, c.tag, got, c.want)
		}
	}
}
