package ocispec

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	labelName  = regexp.MustCompile(`^[A-Za-z0-9_]+$`)
	categories = `(:c[0-9]+([.,]c[0-9]+)*)?`
	labelLevel = regexp.MustCompile(`^s[0-9]+` + categories + `(-s[0-9]+` + categories + `)?$`)
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
		valid = labelName.MatchString(val)
	case "level":
		valid = labelLevel.MatchString(val)
	}
	if !ok || !valid {
		return "", fmt.Errorf("label %q: want disable, nested, user:, role:, type:, filetype: with an SELinux name, or level: with an MLS range such as s0:c1,c2", v)
	}
	return v, nil
}
