package lifecycle

import "testing"

func TestParseDevice(t *testing.T) {
	for _, c := range []struct{ in, host, ctr string }{
		{"/dev/fuse", "/dev/fuse", "/dev/fuse"},
		{"/dev/fuse:rwm", "/dev/fuse", "/dev/fuse"},
		{"/dev/fuse:/dev/f2", "/dev/fuse", "/dev/f2"},
		{"/dev/dri:/dev/dri:rw", "/dev/dri", "/dev/dri"},
		{"/dev/sda/../null:/dev/n", "/dev/null", "/dev/n"},
	} {
		host, ctr, err := parseDevice(c.in)
		if err != nil || host != c.host || ctr != c.ctr {
			t.Errorf("%s: %s %s %v", c.in, host, ctr, err)
		}
	}
	for _, bad := range []string{"fuse", "/dev/fuse:r", "/dev/fuse:/dev/f:m", "/dev/fuse:/dev/f:rwx", "/dev/fuse:dev/f", "/a:/b:rw:x", ""} {
		if _, _, err := parseDevice(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestDevicesDirectoryAndMissing(t *testing.T) {
	mounts, _, err := Devices([]string{"/dev/null:/dev/n"})
	if err != nil || len(mounts) != 1 || mounts[0].Source != "/dev/null" || mounts[0].Destination != "/dev/n" {
		t.Errorf("/dev/null:/dev/n: %v %v", mounts, err)
	}
	if _, _, err := Devices([]string{"/dev/burrow-none"}); err == nil {
		t.Error("a missing device was accepted")
	}
	if _, _, err := Devices([]string{"/etc/passwd"}); err == nil {
		t.Error("a regular file was accepted as a device")
	}
}
