package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadNamesRefused: run, create and rename take docker's container
// names only, and a refused name creates nothing.
func TestBadNamesRefused(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	bad := []string{"a/b", "../../x", strings.Repeat("n", 300), "two\nlines", "-dash", ".dot", "sp ace", "a:b"}
	for _, name := range bad {
		for _, args := range [][]string{
			{"run", "--rm", "--name", name, busyboxImage, "true"},
			{"run", "-d", "--name", name, busyboxImage, "true"},
			{"create", "--name", name, busyboxImage, "true"},
		} {
			r := e.burrow(args...)
			if r.code != 125 || !strings.Contains(r.stderr, "container name") {
				t.Errorf("burrow %s with name %q: want exit 125 about the container name, got %s", args[0], name, r)
			}
		}
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("refused names created containers:\n%s", out)
	}
	id := strings.TrimSpace(e.ok("create", "--name", "good_name-1.x", busyboxImage, "true"))
	defer e.ok("rm", id)
	for _, name := range bad {
		if r := e.burrow("rename", id, name); r.code != 125 || !strings.Contains(r.stderr, "container name") {
			t.Errorf("rename to %q: want exit 125, got %s", name, r)
		}
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}}"); out != "good_name-1.x\n" {
		t.Errorf("after refused renames: %q", out)
	}
	e.ok("rename", id, "Renamed.OK_2")
}

// TestBadDNSRefused: --dns takes IP addresses only.
func TestBadDNSRefused(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	for _, dns := range []string{"notanip", "1.2.3", "8.8.8.8 9.9.9.9", "::1::"} {
		r := e.burrow("run", "--rm", "--dns", dns, busyboxImage, "true")
		if r.code != 125 || !strings.Contains(r.stderr, "--dns") {
			t.Errorf("--dns %q: want exit 125 naming --dns, got %s", dns, r)
		}
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("refused --dns created containers:\n%s", out)
	}
	out := e.ok("run", "--rm", "--network", "none", "--dns", "192.0.2.1", "--dns", "2001:db8::1", busyboxImage, "cat", "/etc/resolv.conf")
	if !strings.Contains(out, "nameserver 192.0.2.1") || !strings.Contains(out, "nameserver 2001:db8::1") {
		t.Errorf("resolv.conf with good --dns: %q", out)
	}
}

// TestRefusedEntryNamed: a layer the store cannot extract is refused with
// an error that names the entry, for load and import.
func TestRefusedEntryNamed(t *testing.T) {
	e := newEnv(t)
	layer := unsafeTar(t, nil, []rawEntry{rawReg("ok-file", "x"), rawHardlink("dangling-link", "../../../nowhere/file")})
	archive := filepath.Join(e.dir, "dangling.tar")
	if err := writeDockerArchive(archive, []string{"dangling:1"}, busyboxLayer(t), layer); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(e.dir, "dangling-rootfs.tar")
	if err := os.WriteFile(rootfs, layer, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"load", "-q", "-i", archive}, {"import", "-q", rootfs, "dangling:2"}} {
		r := e.burrow(args...)
		if r.code != 125 || !strings.Contains(r.stderr, `"dangling-link"`) {
			t.Errorf("burrow %s: want exit 125 naming the entry dangling-link, got %s", args[0], r)
		}
	}
	if out := e.ok("images", "-q"); out != "" {
		t.Errorf("images after the refusals:\n%s", out)
	}
}
