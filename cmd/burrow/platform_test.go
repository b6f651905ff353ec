package main

import (
	"runtime"
	"testing"
)

func TestPlatformOf(t *testing.T) {
	for _, tc := range []struct{ os, arch, variant, want string }{
		{"", "", "", ""},
		{"", "arm64", "", "linux/arm64"},
		{"linux", "arm", "v7", "linux/arm/v7"},
		{"", "", "v8", runtime.GOOS + "/" + runtime.GOARCH + "/v8"},
		{"freebsd", "", "", "freebsd/" + runtime.GOARCH},
	} {
		if got := platformOf(tc.os, tc.arch, tc.variant); got != tc.want {
			t.Errorf("platformOf(%q, %q, %q) = %q, want %q", tc.os, tc.arch, tc.variant, got, tc.want)
		}
	}
}
