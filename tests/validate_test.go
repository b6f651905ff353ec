package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
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
		// `--`: a name may start with a dash, as podman reads it.
		if r := e.burrow("rename", "--", id, name); r.code != 125 || !strings.Contains(r.stderr, "container name") {
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

// TestRefusedEntryNamed: layers the store cannot extract (a hard link to
// nothing, a path twice) are refused by load and import with an error
// that names the entry, and nothing is stored.
func TestRefusedEntryNamed(t *testing.T) {
	e := newEnv(t)
	for i, c := range []struct {
		entry string
		layer []rawEntry
	}{
		{"dangling-link", []rawEntry{rawReg("ok-file", "x"), rawHardlink("dangling-link", "../../../nowhere/file")}},
		{"twice", []rawEntry{rawSymlink("twice", "/etc/passwd"), rawReg("twice", "overwritten")}},
	} {
		layer := unsafeTar(t, nil, c.layer)
		archive := filepath.Join(e.dir, fmt.Sprintf("refused%d.tar", i))
		if err := writeDockerArchive(archive, []string{"refused:1"}, busyboxLayer(t), layer); err != nil {
			t.Fatal(err)
		}
		rootfs := filepath.Join(e.dir, fmt.Sprintf("refused-rootfs%d.tar", i))
		if err := os.WriteFile(rootfs, layer, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{"load", "-q", "-i", archive}, {"import", "-q", rootfs, "refused:2"}} {
			r := e.burrow(args...)
			if r.code != 125 || !strings.Contains(r.stderr, strconv.Quote(c.entry)) {
				t.Errorf("burrow %s: want exit 125 naming the entry %s, got %s", args[0], c.entry, r)
			}
		}
	}
	if out := e.ok("images", "-q"); out != "" {
		t.Errorf("images after the refusals:\n%s", out)
	}
}
