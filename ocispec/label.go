package ocispec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux/label"
)

// The label grammar, compiled when a label is given rather than at every
// start of burrow.
var (
	labelName  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9_]+$`) })
	categories = `(:c[0-9]+([.,]c[0-9]+)*)?`
	labelLevel = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^s[0-9]+` + categories + `(-s[0-9]+` + categories + `)?$`)
	})
)

// ParseLabel checks a --security-opt label= value: disable, nested, or
// user:, role:, type:, filetype: with an SELinux name, level: with an MLS
// range (s0, s0:c1,c2, s0-s0:c0.c1023). The checked value is an option
// for github.com/opencontainers/selinux's label.InitLabels.
func ParseLabel(v string) (string, error) {
	if v == "disable" || v == "nested" {
		return v, nil
	}
	k, val, ok := strings.Cut(v, ":")
	valid := false
	switch k {
	case "user", "role", "type", "filetype":
		valid = labelName().MatchString(val)
	case "level":
		valid = labelLevel().MatchString(val)
	}
	if !ok || !valid {
		return "", fmt.Errorf("label %q: want disable, nested, user:, role:, type:, filetype: with an SELinux name, or level: with an MLS range such as s0:c1,c2", v)
	}
	return v, nil
}

// labelledTypes are the file systems that take the container's SELinux
// mount label as a context= option when they are mounted afresh; a bind
// keeps its source's labels, and proc, sysfs, mqueue and cgroup2 get
// theirs from the policy.
var labelledTypes = map[string]bool{"tmpfs": true, "devpts": true}

// WithMountLabel gives the fresh tmpfs and devpts mounts of s the mount
// label (github.com/opencontainers/selinux's context= option), so that the
// container's process label may use them. An empty label (SELinux off, or
// label=disable where the library gives none) changes nothing.
func WithMountLabel(s *specs.Spec, mountLabel string) {
	if s.Linux != nil {
		s.Linux.MountLabel = mountLabel
	}
	if mountLabel == "" {
		return
	}
	for i, m := range s.Mounts {
		if labelledTypes[m.Type] {
			s.Mounts[i].Options = append(slices.Clip(m.Options), label.FormatMountLabel("", mountLabel))
		}
	}
}
