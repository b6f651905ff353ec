package volume

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestTmpfsMountOptions: o= splits into flags and data; nosuid and nodev
// unless o= says otherwise.
func TestTmpfsMountOptions(t *testing.T) {
	for _, c := range []struct {
		o     string
		flags uintptr
		data  string
	}{
		{"", unix.MS_NOSUID | unix.MS_NODEV, ""},
		{"size=64m,mode=1777", unix.MS_NOSUID | unix.MS_NODEV, "size=64m,mode=1777"},
		{"noexec,suid,uid=1000,ro", unix.MS_NODEV | unix.MS_NOEXEC | unix.MS_RDONLY, "uid=1000"},
		{"dev,exec,nr_inodes=10", unix.MS_NOSUID, "nr_inodes=10"},
	} {
		flags, data, err := tmpfsMountOptions(c.o)
		if err != nil || flags != c.flags || data != c.data {
			t.Errorf("%q: %#x %q %v, want %#x %q", c.o, flags, data, err, c.flags, c.data)
		}
	}
	if _, _, err := tmpfsMountOptions("size=1m,bogus"); err == nil {
		t.Error("an unknown option passed")
	}
}
