package tests

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLICpOverwrite: podman's cp refuses, with exit 125 and "file exists"
// naming the path, to put a non-directory where a directory is or the
// reverse, leaving what was there; --overwrite replaces it. Host to
// container, container to host and container to container.
func TestCLICpOverwrite(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "cf", "box", "sleep", "100")
	e.ok("run", "-d", "--name", "cd", "box", "sleep", "100")
	defer e.burrow("rm", "-f", "-t", "0", "cf", "cd")
	reset := func() {
		t.Helper()
		e.ok("exec", "cf", "sh", "-c", "rm -rf /tmp/foo && echo file > /tmp/foo")
		e.ok("exec", "cd", "sh", "-c", "rm -rf /tmp/foo && mkdir /tmp/foo && echo dir > /tmp/foo/file.txt")
	}
	refused := func(what string, args ...string) {
		t.Helper()
		r := e.burrow(append([]string{"cp"}, args...)...)
		if r.code != 125 || !strings.Contains(r.stderr, "file exists") || !strings.Contains(r.stderr, what) {
			t.Errorf("cp %v: want exit 125 with file exists naming %s, got %s", args, what, r)
		}
	}
	inCtr := func(ctr, script, want string) {
		t.Helper()
		if got := e.ok("exec", ctr, "sh", "-c", script); got != want {
			t.Errorf("%s: %s gave %q, want %q", ctr, script, got, want)
		}
	}

	// Container to container.
	reset()
	refused(`"/tmp/foo"`, "cf:/tmp/foo", "cd:/tmp")
	inCtr("cd", "cat /tmp/foo/file.txt", "dir\n")
	e.ok("cp", "--overwrite", "cf:/tmp/foo", "cd:/tmp")
	inCtr("cd", "cat /tmp/foo", "file\n")
	reset()
	refused(`"/tmp/foo"`, "cd:/tmp/foo", "cf:/tmp")
	inCtr("cf", "cat /tmp/foo", "file\n")
	e.ok("cp", "--overwrite", "cd:/tmp/foo", "cf:/tmp")
	inCtr("cf", "cat /tmp/foo/file.txt", "dir\n")

	// Container to host.
	reset()
	host := filepath.Join(e.dir, "host")
	if err := os.MkdirAll(filepath.Join(host, "foo"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(host, "foo", "keep"), "keep\n", 0o644)
	refused(filepath.Join(host, "foo"), "cf:/tmp/foo", host)
	wantFile(t, filepath.Join(host, "foo", "keep"), "keep\n")
	e.ok("cp", "--overwrite", "cf:/tmp/foo", host)
	wantFile(t, filepath.Join(host, "foo"), "file\n")
	refused(filepath.Join(host, "foo"), "cd:/tmp/foo", host)
	wantFile(t, filepath.Join(host, "foo"), "file\n")
	e.ok("cp", "--overwrite", "cd:/tmp/foo", host)
	wantFile(t, filepath.Join(host, "foo", "file.txt"), "dir\n")

	// Host to container.
	reset()
	src := filepath.Join(e.dir, "src")
	if err := os.MkdirAll(filepath.Join(src, "d", "foo"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(src, "f"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(src, "f", "foo"), "from host\n", 0o644)
	writeFile(t, filepath.Join(src, "d", "foo", "file.txt"), "host dir\n", 0o644)
	refused(`"/tmp/foo"`, filepath.Join(src, "f", "foo"), "cd:/tmp")
	inCtr("cd", "cat /tmp/foo/file.txt", "dir\n")
	e.ok("cp", "--overwrite", filepath.Join(src, "f", "foo"), "cd:/tmp")
	inCtr("cd", "cat /tmp/foo", "from host\n")
	refused(`"/tmp/foo"`, filepath.Join(src, "d", "foo"), "cf:/tmp")
	inCtr("cf", "cat /tmp/foo", "file\n")
	e.ok("cp", "--overwrite", filepath.Join(src, "d", "foo"), "cf:/tmp")
	inCtr("cf", "cat /tmp/foo/file.txt", "host dir\n")

	// Same kind in the way: replaced (a file) or merged into (a directory)
	// without --overwrite, as before.
	e.ok("cp", filepath.Join(src, "f", "foo"), "cd:/tmp")
	inCtr("cd", "cat /tmp/foo", "from host\n")
}

// TestCLICpFollowLink: a symlink named as the source is followed (podman's
// default, docker's -L/--follow-link) inside the container's root — a
// link climbing out with ../../.. still lands on the container's own
// /etc/passwd — and copied as the link itself with --follow-link=false
// (docker's default). A symlink at the top of a tar on stdin is copied as
// a link, never followed on the host.
func TestCLICpFollowLink(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "ln", "box", "sleep", "100")
	e.ok("run", "-d", "--name", "other", "box", "sleep", "100")
	defer e.burrow("rm", "-f", "-t", "0", "ln", "other")

	// A tar's top-level symlink stays a link in the container (it used to
	// be followed on the host, copying the host's /etc/passwd in).
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	_ = tw.WriteHeader(&tar.Header{Name: "pw", Linkname: "/etc/passwd", Mode: 0o777, Typeflag: tar.TypeSymlink})
	_ = tw.Close()
	if r, err := e.exec(tb.String(), "cp", "-", "other:/tmp/"); err != nil || r.code != 0 {
		t.Fatalf("cp - other:/tmp/: %v %s", err, r)
	}
	if got := e.ok("exec", "other", "readlink", "/tmp/pw"); got != "/etc/passwd\n" {
		t.Errorf("a tar's symlink: readlink %q, want /etc/passwd", got)
	}

	e.ok("exec", "ln", "sh", "-c", "echo burrow-marker:x:4242:4242::/:/bin/sh >> /etc/passwd && "+
		"mkdir -p /tmp/a /srcdir && echo f > /srcdir/f && ln -s ../../../etc/passwd /tmp/a/up && "+
		"ln -s ../../../../../../../../../../../../etc/passwd /tmp/deep && ln -s ../srcdir /tmp/dl")
	inside := e.ok("exec", "ln", "cat", "/etc/passwd")
	hostPasswd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	if inside == string(hostPasswd) || !strings.Contains(inside, "burrow-marker") {
		t.Fatalf("the container's /etc/passwd should differ from the host's: %q", inside)
	}

	host := filepath.Join(e.dir, "out")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	regular := func(p string) {
		t.Helper()
		if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("%s: want a regular file, got %v %v", p, fi, err)
		}
	}
	e.ok("cp", "-L", "ln:/tmp/a/up", filepath.Join(host, "up"))
	regular(filepath.Join(host, "up"))
	wantFile(t, filepath.Join(host, "up"), inside)
	e.ok("cp", "--follow-link", "ln:/tmp/deep", host)
	regular(filepath.Join(host, "deep"))
	wantFile(t, filepath.Join(host, "deep"), inside)
	e.ok("cp", "-L", "ln:/tmp/dl", host)
	wantFile(t, filepath.Join(host, "dl", "f"), "f\n")

	e.ok("cp", "--follow-link=false", "ln:/tmp/a/up", filepath.Join(host, "raw"))
	if target, err := os.Readlink(filepath.Join(host, "raw")); err != nil || target != "../../../etc/passwd" {
		t.Errorf("cp --follow-link=false out: want the link itself, got %q %v", target, err)
	}

	// A tar on stdout: the target's content, or the link with --follow-link=false.
	for _, c := range []struct {
		flag     string
		typ      byte
		linkname string
	}{{"-L", tar.TypeReg, ""}, {"--follow-link=false", tar.TypeSymlink, "../../../etc/passwd"}} {
		tr := tar.NewReader(strings.NewReader(e.ok("cp", c.flag, "ln:/tmp/a/up", "-")))
		h, err := tr.Next()
		if err != nil || h.Name != "up" || h.Typeflag != c.typ || h.Linkname != c.linkname {
			t.Errorf("cp %s ln:/tmp/a/up -: first entry %+v %v", c.flag, h, err)
			continue
		}
		if data, _ := io.ReadAll(tr); c.typ == tar.TypeReg && string(data) != inside {
			t.Errorf("cp %s ln:/tmp/a/up -: %q, want the container's /etc/passwd", c.flag, data)
		}
	}

	var names []string
	tr := tar.NewReader(strings.NewReader(e.ok("cp", "-L", "ln:/tmp/dl", "-")))
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		names = append(names, h.Name)
	}
	if strings.Join(names, " ") != "dl/ dl/f" {
		t.Errorf("cp -L ln:/tmp/dl -: entries %q, want dl/ dl/f", names)
	}

	// Container to container.
	e.ok("cp", "-L", "ln:/tmp/deep", "other:/tmp/got")
	if got := e.ok("exec", "other", "cat", "/tmp/got"); got != inside {
		t.Errorf("cp -L between containers: got %q, want the source container's /etc/passwd", got)
	}
	e.ok("cp", "--follow-link=false", "ln:/tmp/deep", "other:/tmp/rawlink")
	if got := e.ok("exec", "other", "readlink", "/tmp/rawlink"); got != "../../../../../../../../../../../../etc/passwd\n" {
		t.Errorf("cp --follow-link=false between containers: readlink %q", got)
	}

	// Host to container: the host's link is the user's own, followed by name.
	hl := filepath.Join(e.dir, "hl")
	writeFile(t, filepath.Join(e.dir, "target"), "host target\n", 0o644)
	if err := os.Symlink("target", hl); err != nil {
		t.Fatal(err)
	}
	e.ok("cp", "-L", hl, "other:/tmp/hl")
	e.ok("cp", "--follow-link=false", hl, "other:/tmp/hl2")
	if got := e.ok("exec", "other", "sh", "-c", "cat /tmp/hl; readlink /tmp/hl2"); got != "host target\ntarget\n" {
		t.Errorf("host to container: %q", got)
	}
}
