package ocispec

import (
	"slices"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseLabel(t *testing.T) {
	for _, ok := range []string{"disable", "nested", "type:container_t", "user:system_u", "role:object_r",
		"filetype:container_file_t", "level:s0", "level:s0:c1,c2", "level:s0-s0:c0.c1023", "level:s0:c5.c10"} {
		if _, err := ParseLabel(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "bogus", "type:", "type:a b", "type", "level:c1", "level:s0:c", "level:s0:c1,", "user:x:y", "disabled", "type:$(x)"} {
		if _, err := ParseLabel(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestWithMountLabel(t *testing.T) {
	const l = "system_u:object_r:container_file_t:s0:c1,c2"
	s := &specs.Spec{Linux: &specs.Linux{}, Mounts: []specs.Mount{
		{Destination: "/dev", Type: "tmpfs", Options: []string{"nosuid", "size=65536k"}},
		{Destination: "/dev/pts", Type: "devpts", Options: []string{"newinstance"}},
		{Destination: "/proc", Type: "proc", Options: []string{"nosuid"}},
		{Destination: "/data", Type: "bind", Options: []string{"rbind"}},
	}}
	WithMountLabel(s, l)
	want := [][]string{{"nosuid", "size=65536k", `context="` + l + `"`}, {"newinstance", `context="` + l + `"`}, {"nosuid"}, {"rbind"}}
	for i, m := range s.Mounts {
		if !slices.Equal(m.Options, want[i]) {
			t.Errorf("%s: %q, want %q", m.Destination, m.Options, want[i])
		}
	}
	if s.Linux.MountLabel != l {
		t.Errorf("MountLabel %q", s.Linux.MountLabel)
	}
	before := slices.Clone(s.Mounts[2].Options)
	s2 := &specs.Spec{Linux: &specs.Linux{}, Mounts: []specs.Mount{{Type: "tmpfs", Options: []string{"nosuid"}}}}
	WithMountLabel(s2, "")
	if len(s2.Mounts[0].Options) != 1 || !slices.Equal(s.Mounts[2].Options, before) {
		t.Errorf("an empty label changed the options: %q", s2.Mounts[0].Options)
	}
}
