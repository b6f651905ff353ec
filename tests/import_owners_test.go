package tests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ownersLayer is the test rootfs plus files of several owners, setuid and
// setgid bits, a symlink of its own owner and a user xattr.
func ownersLayer(t *testing.T) []byte {
	t.Helper()
	entries, err := rootfsEntries()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mt := time.Unix(1700000000, 0)
	write := func(h *tar.Header, body []byte) {
		h.ModTime = mt
		h.Size = int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	for _, en := range entries {
		typ := en.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		var body []byte
		if typ == tar.TypeReg {
			body = en.body
		}
		write(&tar.Header{Name: en.name, Typeflag: typ, Mode: en.mode, Linkname: en.link, Uid: en.uid, Gid: en.gid}, body)
	}
	write(&tar.Header{Name: "d/", Typeflag: tar.TypeDir, Mode: 0o750, Uid: 5, Gid: 6}, nil)
	write(&tar.Header{Name: "d/f", Typeflag: tar.TypeReg, Mode: 0o644, Uid: 999, Gid: 998,
		PAXRecords: map[string]string{"SCHILY.xattr.user.origin": "tar"}}, []byte("f\n"))
	write(&tar.Header{Name: "d/g", Typeflag: tar.TypeReg, Mode: 0o640, Uid: 1000, Gid: 1000, Uname: "user", Gname: "user"}, []byte("g\n"))
	write(&tar.Header{Name: "d/s", Typeflag: tar.TypeReg, Mode: 0o6755, Uid: 1000, Gid: 2000}, []byte("s\n"))
	write(&tar.Header{Name: "d/l", Typeflag: tar.TypeSymlink, Linkname: "f", Uid: 1001, Gid: 1002}, nil)
	write(&tar.Header{Name: "d/n", Typeflag: tar.TypeReg, Mode: 0o600, Uid: 65534, Gid: 0}, []byte("n\n"))
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const ownersShow = "stat -c '%n %u:%g %a' /home/user /d /d/f /d/g /d/s /d/n; stat -c '%n %u:%g' /d/l"
const ownersWant = "/home/user 1000:1000 755\n/d 5:6 750\n/d/f 999:998 644\n/d/g 1000:1000 640\n/d/s 1000:2000 6755\n/d/n 65534:0 600\n/d/l 1001:1002\n"

// TestImportKeepsOwners: import keeps each file's uid and gid, setuid and
// setgid bits and user xattrs, from a plain tar, a gzipped one, stdin and
// an export of a container; load of the same layer agrees.
func TestImportKeepsOwners(t *testing.T) {
	e := newEnv(t)
	layer := ownersLayer(t)
	plain := filepath.Join(e.dir, "owners.tar")
	if err := os.WriteFile(plain, layer, 0o644); err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(layer)
	_ = zw.Close()
	gzPath := filepath.Join(e.dir, "owners.tar.gz")
	if err := os.WriteFile(gzPath, gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(e.dir, "owners-archive.tar")
	if err := writeDockerArchive(archive, []string{"owners:loaded"}, layer); err != nil {
		t.Fatal(err)
	}
	e.ok("import", "-q", plain, "owners:plain")
	e.ok("import", "-q", gzPath, "owners:gz")
	if r, err := e.exec(string(layer), "import", "-q", "-", "owners:stdin"); err != nil || r.code != 0 {
		t.Fatalf("import from stdin: %v %s", err, r)
	}
	e.ok("load", "-q", "-i", archive)
	check := func(image string) {
		t.Helper()
		if out := e.ok("run", "--rm", "--network", "none", image, "sh", "-c", ownersShow); out != ownersWant {
			t.Errorf("owners in %s:\n%s\nwant:\n%s", image, out, ownersWant)
		}
		// busybox reads no xattrs: export shows them.
		id := strings.TrimSpace(e.ok("create", "--network", "none", image, "true"))
		out := filepath.Join(e.dir, "xattr.tar")
		e.ok("export", "-o", out, id)
		e.ok("rm", id)
		if got := exportedXattr(t, out, "d/f", "user.origin"); got != "tar" {
			t.Errorf("user.origin of /d/f in %s: %q, want tar", image, got)
		}
	}
	for _, image := range []string{"owners:loaded", "owners:plain", "owners:gz", "owners:stdin"} {
		check(image)
	}
	// export -> import: the container's files keep their owners, also those
	// the container itself changed.
	e.ok("run", "--name", "src", "--network", "none", "owners:plain", "sh", "-c", "touch /d/new && chown 1234:4321 /d/new")
	exported := filepath.Join(e.dir, "export.tar")
	e.ok("export", "-o", exported, "src")
	e.ok("import", "-q", exported, "owners:roundtrip")
	check("owners:roundtrip")
	if out := e.ok("run", "--rm", "--network", "none", "owners:roundtrip", "stat", "-c", "%u:%g", "/d/new"); out != "1234:4321\n" {
		t.Errorf("owner of a file the container chowned, after export and import: %q, want 1234:4321", out)
	}
}

// exportedXattr is the value of xattr attr of name in the tar at path.
func exportedXattr(t *testing.T, path, name, attr string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s has no %s", path, name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimPrefix(hdr.Name, "./") == name {
			return hdr.PAXRecords["SCHILY.xattr."+attr]
		}
	}
}
