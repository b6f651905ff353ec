package tests

import (
	"archive/tar"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// withTmpdir gives the env's burrow its own TMPDIR, so a test can tell
// whether a command left a temporary file behind.
func (e *env) withTmpdir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(e.dir, "tmp")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	e.vars = append(e.vars, "TMPDIR="+dir)
	return dir
}

func TestLoadFromFile(t *testing.T) {
	e := newEnv(t)
	archive := filepath.Join(e.dir, "busybox.tar")
	if err := writeDockerArchive(archive, []string{"busybox:1.0"}, busyboxLayer(t)); err != nil {
		t.Fatal(err)
	}
	out := e.ok("load", "-q", "-i", archive)
	// A short tag in an archive means Docker Hub, as with docker and podman.
	if out != "Loaded image: docker.io/library/busybox:1.0\n" {
		t.Errorf("load printed %q, want Loaded image: docker.io/library/busybox:1.0", out)
	}
	id := e.imageID("docker.io/library/busybox:1.0")
	if got := e.imageNames(); !slices.Equal(got, []string{"docker.io/library/busybox:1.0@" + id}) {
		t.Errorf("images after load: %q, want docker.io/library/busybox:1.0", got)
	}
	// The short name finds it, and it runs with the archive's config.
	for _, ref := range []string{"busybox:1.0", "docker.io/library/busybox:1.0", id[:12]} {
		if got := e.ok("run", "--rm", ref, "sh", "-c", "echo $PATH; cat /etc/group | head -1"); got != "/bin\nroot:x:0:\n" {
			t.Errorf("run %s: %q, want the archive's PATH and the image's files", ref, got)
		}
	}
	if got := e.ok("inspect", "--format", "{{.Config.Cmd}} {{len .RootFS.DiffIDs}}", "busybox:1.0"); got != "[/bin/sh] 1\n" {
		t.Errorf("inspect of the loaded image: %q", got)
	}
	// busybox without a tag means :latest, which the archive does not have.
	if r := e.burrow("run", "--rm", "busybox", "true"); r.code != 125 {
		t.Errorf("run busybox (latest) after loading only 1.0: %s; want exit 125", r)
	}
	// Loading the same archive again changes nothing.
	e.ok("load", "-q", "-i", archive)
	if got := e.imageNames(); !slices.Equal(got, []string{"docker.io/library/busybox:1.0@" + id}) {
		t.Errorf("images after loading twice: %q", got)
	}
}

func TestLoadTagNormalization(t *testing.T) {
	e := newEnv(t)
	archive := filepath.Join(e.dir, "tags.tar")
	tags := []string{"busybox:1.0", "team/tool:2", "localhost/mine:3", "registry.example.com:5000/x/y:4"}
	if err := writeDockerArchive(archive, tags, busyboxLayer(t)); err != nil {
		t.Fatal(err)
	}
	e.ok("load", "-q", "-i", archive)
	id := e.imageID("busybox:1.0")
	want := []string{
		"docker.io/library/busybox:1.0@" + id,
		"docker.io/team/tool:2@" + id,
		"localhost/mine:3@" + id,
		"registry.example.com:5000/x/y:4@" + id,
	}
	if got := e.imageNames(); !slices.Equal(got, want) {
		t.Errorf("images:\n%q\nwant\n%q", got, want)
	}
	for _, ref := range []string{"team/tool:2", "mine:3", "registry.example.com:5000/x/y:4"} {
		if got := e.ok("image", "inspect", "--format", "{{.ID}}", ref); got != "sha256:"+id+"\n" {
			t.Errorf("inspect %s: %q, want sha256:%s", ref, got, id)
		}
	}
}

func TestLoadFromStdin(t *testing.T) {
	e := newEnv(t)
	tmp := e.withTmpdir(t)
	archive := filepath.Join(e.dir, "busybox.tar")
	if err := writeDockerArchive(archive, []string{"stdinbox:v1"}, busyboxLayer(t)); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	// The first command of a new env: it also starts the namespace holder.
	r, err := e.exec(string(data), "load")
	if err != nil || r.code != 0 {
		t.Fatalf("load from stdin: %v %s", err, r)
	}
	if !strings.Contains(r.stdout, "Loaded image: docker.io/library/stdinbox:v1\n") {
		t.Errorf("load printed %q, want Loaded image: docker.io/library/stdinbox:v1", r.stdout)
	}
	if got := e.ok("run", "--rm", "stdinbox:v1", "cat", "/etc/group"); !strings.HasPrefix(got, "root:x:0:") {
		t.Errorf("run the image loaded from stdin: %q", got)
	}
	if entries := listDir(t, tmp); len(entries) != 0 {
		t.Errorf("load from stdin left %d files in TMPDIR: %v", len(entries), entries)
	}
	// image load is the same verb.
	e.ok("rmi", "stdinbox:v1")
	if r, err := e.exec(string(data), "image", "load", "-q"); err != nil || r.code != 0 {
		t.Fatalf("image load from stdin: %v %s", err, r)
	}
	e.ok("run", "--rm", "stdinbox:v1", "true")
}

func TestLoadTwoLayers(t *testing.T) {
	e := newEnv(t)
	second, err := tarBytes([]tarEntry{
		{name: "etc/", mode: 0o755, typ: tar.TypeDir},
		{name: "etc/second", mode: 0o644, body: []byte("from layer two\n")},
		{name: "opt/", mode: 0o755, typ: tar.TypeDir},
		{name: "opt/tool", mode: 0o755, body: []byte("#!/bin/sh\necho tool ran\n")},
	})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(e.dir, "two.tar")
	if err := writeDockerArchive(archive, []string{"twolayer:latest"}, busyboxLayer(t), second); err != nil {
		t.Fatal(err)
	}
	e.ok("load", "-q", "-i", archive)
	got := e.ok("run", "--rm", "twolayer", "sh", "-c", "cat /etc/second; /opt/tool; head -1 /etc/passwd; test -x /bin/busybox && echo base")
	if want := "from layer two\ntool ran\nroot:x:0:0:root:/root:/bin/sh\nbase\n"; got != want {
		t.Errorf("two-layer image sees:\n%s\nwant:\n%s", got, want)
	}
	if got := e.ok("inspect", "--format", "{{len .RootFS.DiffIDs}}", "twolayer"); got != "2\n" {
		t.Errorf("RootFS of the two-layer image: %q layers, want 2", got)
	}
}

// TestLoadBadArchives: a broken archive fails cleanly, leaves the images
// as they were, and a later good load works.
func TestLoadBadArchives(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	extra, err := tarBytes([]tarEntry{{name: "victim-file", mode: 0o644, body: []byte("victim\n")}})
	if err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(e.dir, "good.tar")
	if err := writeDockerArchive(good, []string{"victim:1"}, busyboxLayer(t), extra); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	noise := make([]byte, 64<<10)
	if _, err := rand.Read(noise); err != nil {
		t.Fatal(err)
	}
	// A flipped byte in the last layer, which the store does not have:
	// only its digest tells.
	flipped := slices.Clone(data)
	at := strings.Index(string(flipped), "victim\n")
	if at < 0 {
		t.Fatal("the layer's file is not in the archive")
	}
	flipped[at] ^= 0xff
	cases := []struct {
		name string
		data []byte
	}{
		{"cut in half", data[:len(data)/2]},
		{"cut before the end", data[:len(data)-1536]},
		{"random bytes", noise},
		{"empty", nil},
		{"flipped byte in a layer", flipped},
	}
	before := e.imageNames()
	for _, c := range cases {
		path := filepath.Join(e.dir, "bad.tar")
		if err := os.WriteFile(path, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, stdin := range []bool{false, true} {
			var r result
			if stdin {
				r, err = e.exec(string(c.data), "load", "-q")
			} else {
				r, err = e.exec("", "load", "-q", "-i", path)
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") {
				t.Errorf("%s (stdin %v): %s; want exit 125 and an Error: line", c.name, stdin, r)
			}
			if !stdin && !strings.Contains(r.stderr, path) {
				t.Errorf("%s: error %q does not name the archive", c.name, r.stderr)
			}
			if got := e.imageNames(); !slices.Equal(got, before) {
				t.Errorf("%s (stdin %v): images changed: %q -> %q", c.name, stdin, before, got)
			}
		}
	}
	out := e.ok("load", "-q", "-i", good)
	if out != "Loaded image: docker.io/library/victim:1\n" {
		t.Errorf("good load after the bad ones printed %q", out)
	}
	if got := e.ok("run", "--rm", "victim:1", "cat", "/victim-file"); got != "victim\n" {
		t.Errorf("the good image after failed loads: %q, want its file", got)
	}
	e.ok("run", "--rm", busyboxImage, "true")
}

func TestLoadMissingFile(t *testing.T) {
	e := shared.forTest(t)
	missing := filepath.Join(t.TempDir(), "no-such-archive.tar")
	for _, args := range [][]string{
		{"load", "-i", missing},
		{"load", "--input", missing},
		{"image", "load", "-i", missing},
	} {
		r := e.burrow(args...)
		if r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") || !strings.Contains(r.stderr, missing) {
			t.Errorf("burrow %v: %s; want exit 125 and an Error: naming %s", args, r, missing)
		}
	}
	dir := t.TempDir()
	if r := e.burrow("load", "-i", dir); r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") {
		t.Errorf("load of a directory: %s; want exit 125 and an Error: line", r)
	}
}
