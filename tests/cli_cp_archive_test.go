package tests

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLICpArchive: podman's cp --archive (the default) gives what is
// copied into a container to the container's primary user and group;
// --archive=false keeps the source's owners (the tar's, the other
// container's, the host user's as root of the namespace). Copies out are
// the caller's.
func TestCLICpArchive(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "cu", "-u", "1000:1001", "box", "sleep", "100")
	e.ok("run", "-d", "--name", "src", "box", "sh", "-c", "echo s > /s && chown 2000:3000 /s && sleep 100")
	defer e.burrow("rm", "-f", "-t", "0", "cu", "src")

	host := filepath.Join(e.dir, "f")
	if err := os.WriteFile(host, []byte("f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(e.dir, "d")
	if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub", "g"), []byte("g\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var tb bytes.Buffer
	tw := tar.NewWriter(&tb)
	_ = tw.WriteHeader(&tar.Header{Name: "t", Mode: 0o644, Size: 2, Uid: 4242, Gid: 4343, Typeflag: tar.TypeReg})
	_, _ = tw.Write([]byte("t\n"))
	_ = tw.Close()

	e.ok("cp", host, "cu:/tmp/f1")
	e.ok("cp", "--archive=false", host, "cu:/tmp/f2")
	e.ok("cp", "-a", dir, "cu:/tmp/d1")
	e.ok("cp", "src:/s", "cu:/tmp/s1")
	e.ok("cp", "--archive=false", "src:/s", "cu:/tmp/s2")
	if r, err := e.exec(tb.String(), "cp", "-", "cu:/tmp/"); err != nil || r.code != 0 {
		t.Fatalf("cp - cu:/tmp/: %v %s", err, r)
	}
	e.ok("exec", "cu", "mkdir", "/tmp/keep")
	if r, err := e.exec(tb.String(), "cp", "--archive=false", "-", "cu:/tmp/keep"); err != nil || r.code != 0 {
		t.Fatalf("cp --archive=false - cu:/tmp/keep: %v %s", err, r)
	}
	got := e.ok("exec", "cu", "stat", "-c", "%n %u:%g", "/tmp/f1", "/tmp/f2", "/tmp/d1", "/tmp/d1/sub", "/tmp/d1/sub/g",
		"/tmp/s1", "/tmp/s2", "/tmp/t", "/tmp/keep/t")
	want := "/tmp/f1 1000:1001\n/tmp/f2 0:0\n/tmp/d1 1000:1001\n/tmp/d1/sub 1000:1001\n/tmp/d1/sub/g 1000:1001\n" +
		"/tmp/s1 1000:1001\n/tmp/s2 2000:3000\n/tmp/t 1000:1001\n/tmp/keep/t 4242:4343\n"
	if got != want {
		t.Errorf("owners in the container:\n%s\nwant:\n%s", got, want)
	}

	// Into a container of root, the default is root's; out is the caller's.
	e.ok("cp", host, "src:/f")
	if got := e.ok("exec", "src", "stat", "-c", "%u:%g", "/f"); got != "0:0\n" {
		t.Errorf("into a root container: %q, want 0:0", got)
	}
	out := filepath.Join(e.dir, "out")
	e.ok("cp", "src:/s", out)
	var st syscall.Stat_t
	if err := syscall.Stat(out, &st); err != nil || int(st.Uid) != os.Getuid() {
		t.Errorf("copied out: uid %d (%v), want the caller's %d", st.Uid, err, os.Getuid())
	}
	if data, _ := os.ReadFile(out); strings.TrimSpace(string(data)) != "s" {
		t.Errorf("copied out: %q", data)
	}
}
