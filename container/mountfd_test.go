package container

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// fdPath is where a descriptor from openMountPoint points, as the kernel says.
func fdPath(t *testing.T, fd int) string {
	t.Helper()
	p, err := os.Readlink("/proc/self/fd/" + itoa(fd))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestOpenMountPoint(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for _, d := range []string{"etc", "data"} {
		if err := os.Mkdir(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"up":       "../../../../" + outside, // relative, climbing out
		"abs":      outside,                  // absolute host path
		"dangling": "/made/here",
		"magic":    "/proc/self/cwd",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	rootFD, err := unix.Open(root, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(rootFD)
	cases := []struct {
		dest string
		dir  bool
		want string // path under root; "" = must fail
	}{
		{"/data", true, "/data"},
		{"/new/deep/dir", true, "/new/deep/dir"},
		{"/etc/hosts", false, "/etc/hosts"},
		{"/up/x", true, outside + "/x"},
		{"/abs/y", true, outside + "/y"},
		{"/dangling/z", true, "/made/here/z"},
		// Without a procfs in the root, the link's target is made inside it;
		// with one, RESOLVE_NO_MAGICLINKS refuses it (the e2e tests show that).
		{"/magic/w", true, "/proc/self/cwd/w"},
		{"../../../escape", true, "/escape"},
	}
	for _, c := range cases {
		fd, err := openMountPoint(rootFD, c.dest, c.dir)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s: opened %s, want an error", c.dest, fdPath(t, fd))
				unix.Close(fd)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.dest, err)
			continue
		}
		if got := fdPath(t, fd); got != root+c.want {
			t.Errorf("%s: opened %s, want %s", c.dest, got, root+c.want)
		}
		unix.Close(fd)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("created outside the root: %v", entries)
	}
}

func TestSplitData(t *testing.T) {
	for data, want := range map[string][]string{
		"":                           nil,
		"size=65536k,mode=755":       {"size=65536k", "mode=755"},
		"newinstance,,ptmxmode=0666": {"newinstance", "ptmxmode=0666"},
		`size=1k,context="system_u:object_r:container_file_t:s0:c1,c2"`: {"size=1k", "context=system_u:object_r:container_file_t:s0:c1,c2"},
		`context="a,b",mode=1777`: {"context=a,b", "mode=1777"},
	} {
		if got := splitData(data); !slices.Equal(got, want) {
			t.Errorf("splitData(%q) = %q, want %q", data, got, want)
		}
	}
}
