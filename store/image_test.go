package store

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/burrow/burrow/errdefs"
	"go.podman.io/storage"
)

func TestNormalize(t *testing.T) {
	const dgst = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		in   string
		want string
	}{
		{"busybox", "localhost/busybox:latest"},
		{"busybox:1.36", "localhost/busybox:1.36"},
		{"library/busybox", "localhost/library/busybox:latest"},
		{"my-app/web_server:v2", "localhost/my-app/web_server:v2"},
		{"localhost/busybox", "localhost/busybox:latest"},
		{"localhost/busybox:dev", "localhost/busybox:dev"},
		{"localhost:5000/busybox", "localhost:5000/busybox:latest"},
		{"localhost:5000/team/busybox:1.0", "localhost:5000/team/busybox:1.0"},
		{"registry.example.com:5000/busybox", "registry.example.com:5000/busybox:latest"},
		{"docker.io/library/busybox", "docker.io/library/busybox:latest"},
		{"quay.io/team/tool:3", "quay.io/team/tool:3"},
		{"busybox@" + dgst, "localhost/busybox@" + dgst},
		{"docker.io/library/busybox@" + dgst, "docker.io/library/busybox@" + dgst},
	}
	for _, c := range cases {
		got, err := Normalize(c.in)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q, nil", c.in, got, err, c.want)
		}
	}
}

func TestNormalizeInvalid(t *testing.T) {
	for _, in := range []string{
		"",
		"Busybox",
		"busy box",
		"busybox\t",
		"busybox\n",
		"busybox:",                            // empty tag
		":latest",                             // empty repository
		"busybox:bad tag",                     // space
		"busybox:a:b",                         // two tags
		"busybox/",                            // empty path component
		"a//b",                                // empty path component
		"busybox@sha256:abc",                  // truncated digest
		"busybox@notadigest",                  // not a digest
		"quay.io/Team/tool",                   // upper case in the path
		"busybox:" + strings.Repeat("t", 129), // tag too long
	} {
		got, err := Normalize(in)
		if err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", in, got)
			continue
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("Normalize(%q): error %v does not wrap ErrInvalidArgument", in, err)
		}
		if !strings.Contains(err.Error(), strings.TrimSpace(in)) {
			t.Errorf("Normalize(%q): error %q does not name the input", in, err)
		}
	}
}

func TestCandidates(t *testing.T) {
	cases := []struct {
		ref  string
		want []string
	}{
		{"busybox", []string{"localhost/busybox:latest", "docker.io/library/busybox:latest", "docker.io/busybox:latest"}},
		{"busybox:1.0", []string{"localhost/busybox:1.0", "docker.io/library/busybox:1.0", "docker.io/busybox:1.0"}},
		{"team/tool", []string{"localhost/team/tool:latest", "docker.io/library/team/tool:latest", "docker.io/team/tool:latest"}},
		{"localhost/busybox", []string{"localhost/busybox:latest"}},
		{"localhost:5000/busybox", []string{"localhost:5000/busybox:latest"}},
		{"quay.io/team/tool:3", []string{"quay.io/team/tool:3"}},
		{"busybox@sha256:abcd", []string{"localhost/busybox@sha256:abcd", "docker.io/library/busybox@sha256:abcd", "docker.io/busybox@sha256:abcd"}},
	}
	for _, c := range cases {
		if got := Candidates(c.ref); !slices.Equal(got, c.want) {
			t.Errorf("Candidates(%q) = %q, want %q", c.ref, got, c.want)
		}
	}
}

func TestFindIn(t *testing.T) {
	const (
		idLocal  = "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111"
		idHub    = "aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222"
		idQuay   = "bbbb3333bbbb3333bbbb3333bbbb3333bbbb3333bbbb3333bbbb3333bbbb3333"
		idNoName = "cccc4444cccc4444cccc4444cccc4444cccc4444cccc4444cccc4444cccc4444"
		idShort  = "dddd5555dddd5555dddd5555dddd5555dddd5555dddd5555dddd5555dddd5555"
	)
	images := []storage.Image{
		{ID: idLocal, Names: []string{"localhost/busybox:latest", "localhost/mine:v1"}},
		{ID: idHub, Names: []string{"docker.io/library/busybox:1.36", "docker.io/library/alpine:latest", "docker.io/someone/tool:latest"}},
		{ID: idQuay, Names: []string{"quay.io/team/app:2"}},
		{ID: idNoName},
		{ID: idShort, Names: []string{"x.y/z:t"}},
	}
	cases := []struct {
		ref  string
		want string
	}{
		{"localhost/busybox:latest", idLocal}, // exact
		{"busybox", idLocal},                  // short name, localhost/ first
		{"busybox:latest", idLocal},
		{"mine:v1", idLocal},
		{"busybox:1.36", idHub}, // short name in docker.io/library/
		{"alpine", idHub},
		{"someone/tool", idHub}, // short name in docker.io/
		{"docker.io/library/alpine:latest", idHub},
		{"team/app:2", idQuay}, // short name of another registry's image
		{"app:2", idQuay},
		{"quay.io/team/app:2", idQuay},
		{"x.y/z:t", idShort},
		{idNoName, idNoName},             // full ID
		{"sha256:" + idNoName, idNoName}, // full ID with algorithm
		{"cccc44", idNoName},             // ID prefix
		{"sha256:bbbb33", idQuay},        // ID prefix with algorithm
		{idLocal[:12], idLocal},          // the short ID `images` prints
		{"ddd", idShort},                 // shortest accepted prefix
	}
	for _, c := range cases {
		img, err := findIn(images, c.ref)
		if err != nil {
			t.Errorf("findIn(%q): %v, want image %.12s", c.ref, err, c.want)
			continue
		}
		if img.ID != c.want {
			t.Errorf("findIn(%q) = image %.12s, want %.12s", c.ref, img.ID, c.want)
		}
	}
}

func TestFindInErrors(t *testing.T) {
	images := []storage.Image{
		{ID: "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111", Names: []string{"localhost/busybox:latest"}},
		{ID: "aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222aaaa2222", Names: []string{"quay.io/team/app:2"}},
	}
	cases := []struct {
		ref     string
		wantErr error
	}{
		{"aaaa", errdefs.ErrInvalidArgument}, // ambiguous prefix
		{"sha256:aaaa", errdefs.ErrInvalidArgument},
		{"nosuch", errdefs.ErrImageUnknown},
		{"busybox:2", errdefs.ErrImageUnknown},                 // name known, tag not
		{"quay.io/busybox", errdefs.ErrImageUnknown},           // a registry is never guessed
		{"docker.io/library/busybox", errdefs.ErrImageUnknown}, // nor another registry's copy
		{"bbbb", errdefs.ErrImageUnknown},                      // hex, but no such ID
		{"aa", errdefs.ErrImageUnknown},                        // too short for an ID prefix
		{"team/app", errdefs.ErrImageUnknown},                  // the tag must match too
		{"a.b/c@x", errdefs.ErrImageUnknown},                   // short reference with a registry
		{"x.y/z:t", errdefs.ErrImageUnknown},
	}
	for _, c := range cases {
		img, err := findIn(images, c.ref)
		if err == nil {
			t.Errorf("findIn(%q) = image %.12s, want an error", c.ref, img.ID)
			continue
		}
		if img != nil {
			t.Errorf("findIn(%q) returned an image with its error", c.ref)
		}
		if !errors.Is(err, c.wantErr) {
			t.Errorf("findIn(%q): error %q does not wrap %q", c.ref, err, c.wantErr)
		}
		if !strings.Contains(err.Error(), strings.TrimPrefix(c.ref, "sha256:")) {
			t.Errorf("findIn(%q): error %q does not name the reference", c.ref, err)
		}
	}
}

func TestFindInEmptyStore(t *testing.T) {
	if _, err := findIn(nil, "busybox"); !errors.Is(err, errdefs.ErrImageUnknown) {
		t.Fatalf("findIn on no images: %v, want ErrImageUnknown", err)
	}
}
