package volume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/burrow/burrow/errdefs"
	"golang.org/x/sys/unix"
)

func lockedStore(t *testing.T) (*Store, string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), "volumes")
	s, err := Open(root)
	if err != nil {
		t.Fatal(err)
	}
	return s, root
}

func TestCreateGetListRemove(t *testing.T) {
	s, root := lockedStore(t)
	v, err := s.Create(CreateOpt{Name: "data", Labels: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Mountpoint != filepath.Join(root, "data", "_data") || v.Driver != "local" || v.Anonymous {
		t.Fatalf("created %+v", v)
	}
	if fi, err := os.Stat(v.Mountpoint); err != nil || !fi.IsDir() {
		t.Fatalf("mountpoint: %v", err)
	}
	if _, err := s.Create(CreateOpt{Name: "data"}); !errors.Is(err, errdefs.ErrNameInUse) {
		t.Fatalf("second create: %v, want ErrNameInUse", err)
	}
	anon, err := s.Create(CreateOpt{})
	if _, ok := anon.Labels[AnonymousLabel]; err != nil || !anon.Anonymous || len(anon.Name) != 64 || !ok {
		t.Fatalf("anonymous: %+v %v", anon, err)
	}
	got, err := s.Get("data")
	if err != nil || got.Labels["k"] != "v" || !got.CreatedAt.Equal(v.CreatedAt) {
		t.Fatalf("get: %+v %v", got, err)
	}
	all, err := s.List()
	if err != nil || len(all) != 2 {
		t.Fatalf("list: %+v %v", all, err)
	}
	if err := s.Remove("data"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("data"); !errors.Is(err, errdefs.ErrVolumeUnknown) {
		t.Fatalf("get after remove: %v", err)
	}
	if err := s.Remove("data"); !errors.Is(err, errdefs.ErrVolumeUnknown) {
		t.Fatalf("remove twice: %v", err)
	}
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if e.Name() != anon.Name && e.Name() != lockFile {
			t.Errorf("left in the store: %s", e.Name())
		}
	}
}

// TestLockRepairs: what a killed create or remove left (dot-entries) is
// gone once the lock is taken, and a real volume stays.
func TestLockRepairs(t *testing.T) {
	s, root := lockedStore(t)
	if _, err := s.Create(CreateOpt{Name: "keep"}); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".tmp-123/_data", ".rm-456/gone/_data"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	unlock, err := s.Lock()
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != lockFile || names[1] != "keep" {
		t.Fatalf("after repair: %v, want .lock and keep", names)
	}
}

// TestConcurrentCreate: racing creators of one name under the lock make
// one volume and one ErrNameInUse each for the rest.
func TestConcurrentCreate(t *testing.T) {
	s, _ := lockedStore(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// A lock of its own open file description per goroutine, as
			// separate processes would have.
			unlock, err := s.Lock()
			if err != nil {
				errs[i] = err
				return
			}
			defer unlock()
			_, errs[i] = s.Create(CreateOpt{Name: "one"})
		}()
	}
	wg.Wait()
	made := 0
	for _, err := range errs {
		switch {
		case err == nil:
			made++
		case !errors.Is(err, errdefs.ErrNameInUse):
			t.Errorf("create: %v", err)
		}
	}
	if made != 1 {
		t.Fatalf("%d creates succeeded, want 1", made)
	}
}

func TestCheckOptions(t *testing.T) {
	dir := t.TempDir()
	good := []map[string]string{
		{}, {"type": "tmpfs"}, {"type": "tmpfs", "o": "size=64m,mode=1777"},
		{"type": "none", "o": "bind", "device": dir},
	}
	for _, o := range good {
		if err := CheckOptions(o); err != nil {
			t.Errorf("CheckOptions(%v): %v", o, err)
		}
	}
	bad := []map[string]string{
		{"o": "size=1m"}, {"type": "nfs"}, {"type": "tmpfs", "o": "exec,bogus=1"},
		{"type": "none", "o": "bind", "device": filepath.Join(dir, "missing")},
		{"type": "none", "o": "bind", "device": "rel"}, {"type": "none", "device": dir},
		{"colour": "blue"},
	}
	for _, o := range bad {
		if err := CheckOptions(o); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("CheckOptions(%v): %v, want ErrInvalidArgument", o, err)
		}
	}
}

// TestCopyUp: content, owners, modes and user xattrs arrive; a symlink
// in the image that points out of the root resolves inside it.
func TestCopyUp(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give files other owners (the e2e test covers the user namespace)")
	}
	rootfs := t.TempDir()
	s, _ := lockedStore(t)
	vol, err := s.Create(CreateOpt{Name: "v"})
	if err != nil {
		t.Fatal(err)
	}
	dst := vol.Mountpoint
	data := filepath.Join(rootfs, "srv", "data")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(data, "sub"), 0o750))
	must(os.WriteFile(filepath.Join(data, "sub", "f"), []byte("seed"), 0o640))
	must(os.Symlink("/etc/passwd", filepath.Join(data, "link")))
	must(os.Chown(data, 999, 998))
	must(os.Chown(filepath.Join(data, "sub", "f"), 999, 998))
	must(unix.Chmod(data, 0o2750))
	xattrErr := unix.Setxattr(filepath.Join(data, "sub", "f"), "user.test", []byte("hello"), 0)
	// /srv/link-out points at the host's /srv from outside the root: it
	// must resolve to rootfs/srv.
	must(os.Symlink("/srv/data", filepath.Join(rootfs, "alias")))
	must(CopyUp(vol, rootfs, "/alias", false))
	var st unix.Stat_t
	must(unix.Stat(dst, &st))
	if st.Uid != 999 || st.Gid != 998 || st.Mode&0o7777 != 0o2750 {
		t.Errorf("volume root: uid %d gid %d mode %o, want 999 998 2750", st.Uid, st.Gid, st.Mode&0o7777)
	}
	f := filepath.Join(dst, "sub", "f")
	must(unix.Stat(f, &st))
	if st.Uid != 999 || st.Mode&0o777 != 0o640 {
		t.Errorf("file: uid %d mode %o", st.Uid, st.Mode&0o777)
	}
	if got, _ := os.ReadFile(f); string(got) != "seed" {
		t.Errorf("content %q", got)
	}
	if xattrErr == nil {
		buf := make([]byte, 16)
		n, err := unix.Getxattr(f, "user.test", buf)
		if err != nil || string(buf[:n]) != "hello" {
			t.Errorf("xattr: %q %v", buf[:n], err)
		}
	}
	if l, err := os.Readlink(filepath.Join(dst, "link")); err != nil || l != "/etc/passwd" {
		t.Errorf("symlink copied as %q %v", l, err)
	}
	empty, err := s.Create(CreateOpt{Name: "empty"})
	must(err)
	if err := CopyUp(empty, rootfs, "/missing", false); err != nil {
		t.Errorf("missing source: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(empty.Mountpoint)); len(entries) != 2 {
		t.Errorf("a copy-up of nothing left %v", entries)
	}
	// Shared: the copy lands in the very directory a running container
	// has mounted.
	shared, err := s.Create(CreateOpt{Name: "shared"})
	must(err)
	var before, after unix.Stat_t
	must(unix.Stat(shared.Mountpoint, &before))
	must(CopyUp(shared, rootfs, "/srv/data", true))
	must(unix.Stat(shared.Mountpoint, &after))
	if before.Ino != after.Ino {
		t.Errorf("a shared volume's directory was replaced")
	}
	if _, err := os.Stat(filepath.Join(shared.Mountpoint, "sub", "f")); err != nil {
		t.Errorf("shared copy-up: %v", err)
	}
}

// TestCopyUpHardLinks: files linked to each other in the image are one
// file in the volume, in place or not; a file whose other link is outside
// the copied directory is copied once.
func TestCopyUpHardLinks(t *testing.T) {
	rootfs := t.TempDir()
	data := filepath.Join(rootfs, "data")
	for _, d := range []string{"a", "b/c"} {
		if err := os.MkdirAll(filepath.Join(data, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(data, "a", "one"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, l := range [][2]string{{"data/a/one", "data/b/c/two"}, {"data/a/one", "data/three"}, {"data/a/one", "outside"}} {
		if err := os.Link(filepath.Join(rootfs, l[0]), filepath.Join(rootfs, l[1])); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := lockedStore(t)
	for _, shared := range []bool{false, true} {
		vol, err := s.Create(CreateOpt{Name: fmt.Sprintf("v%v", shared)})
		if err != nil {
			t.Fatal(err)
		}
		if err := CopyUp(vol, rootfs, "/data", shared); err != nil {
			t.Fatal(err)
		}
		var first unix.Stat_t
		if err := unix.Stat(filepath.Join(vol.Mountpoint, "a", "one"), &first); err != nil {
			t.Fatal(err)
		}
		if first.Nlink != 3 {
			t.Errorf("shared=%v: a/one has %d links, want 3", shared, first.Nlink)
		}
		for _, p := range []string{"b/c/two", "three"} {
			var st unix.Stat_t
			if err := unix.Stat(filepath.Join(vol.Mountpoint, p), &st); err != nil || st.Ino != first.Ino {
				t.Errorf("shared=%v: %s is inode %d (%v), want a/one's %d", shared, p, st.Ino, err, first.Ino)
			}
		}
	}
}

// TestRepairHalfMovedCopyUp: a shared copy-up killed while moving its
// finished copy into the volume is finished by the next lock; one killed
// while copying is dropped, and the volume stays as it was.
func TestRepairHalfMovedCopyUp(t *testing.T) {
	s, _ := lockedStore(t)
	moving, err := s.Create(CreateOpt{Name: "moving"})
	if err != nil {
		t.Fatal(err)
	}
	copying, err := s.Create(CreateOpt{Name: "copying"})
	if err != nil {
		t.Fatal(err)
	}
	done := filepath.Join(filepath.Dir(moving.Mountpoint), copyUpDone)
	partial := filepath.Join(filepath.Dir(copying.Mountpoint), copyUpDir)
	for _, d := range []string{done, partial} {
		if err := os.MkdirAll(filepath.Join(d, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range []string{"a", "b", "sub/c"} {
			if err := os.WriteFile(filepath.Join(d, f), []byte(f), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.Chmod(done, 0o751); err != nil {
		t.Fatal(err)
	}
	// Killed after the first move; the container made b meanwhile.
	if err := os.Rename(filepath.Join(done, "a"), filepath.Join(moving.Mountpoint, "a")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(moving.Mountpoint, "b"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock()
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	for f, want := range map[string]string{"a": "a", "b": "mine", "sub/c": "sub/c"} {
		if got, err := os.ReadFile(filepath.Join(moving.Mountpoint, f)); err != nil || string(got) != want {
			t.Errorf("after repair, %s holds %q (%v), want %q", f, got, err, want)
		}
	}
	if fi, err := os.Stat(moving.Mountpoint); err != nil || fi.Mode().Perm() != 0o751 {
		t.Errorf("after repair, the volume's mode: %v %v, want the copy's 751", fi.Mode(), err)
	}
	if entries, _ := os.ReadDir(copying.Mountpoint); len(entries) != 0 {
		t.Errorf("an unfinished copy reached the volume: %v", entries)
	}
	for _, p := range []string{done, partial} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("repair left %s", p)
		}
	}
}
