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
