package tests

import (
	"archive/tar"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// rawEntry is a tar header as an attacker writes it, with what tarEntry
// cannot say (device minor numbers, any type).
type rawEntry struct {
	hdr  tar.Header
	body []byte
}

func rawReg(name string, body string) rawEntry {
	return rawEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644}, body: []byte(body)}
}

func rawDir(name string) rawEntry {
	return rawEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeDir, Mode: 0o755}}
}

func rawSymlink(name, target string) rawEntry {
	return rawEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}}
}

func rawHardlink(name, target string) rawEntry {
	return rawEntry{hdr: tar.Header{Name: name, Typeflag: tar.TypeLink, Linkname: target, Mode: 0o644}}
}

// unsafeTar writes the safe entries and then the raw ones, unchanged.
func unsafeTar(t *testing.T, safe []tarEntry, raw []rawEntry) []byte {
	t.Helper()
	head, err := tarBytes(safe)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tr := tar.NewReader(bytes.NewReader(head))
	for {
		hdr, err := tr.Next()
		if err != nil {
			break
		}
		body := new(bytes.Buffer)
		if _, err := body.ReadFrom(tr); err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range raw {
		hdr := r.hdr
		hdr.ModTime = time.Unix(1700000000, 0)
		hdr.Format = tar.FormatPAX // keeps any name as given
		if hdr.Typeflag == tar.TypeReg {
			hdr.Size = int64(len(r.body))
		}
		if err := tw.WriteHeader(&hdr); err != nil {
			t.Fatalf("tar header %q: %v", hdr.Name, err)
		}
		if _, err := tw.Write(r.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hostState is what must not change on the host: the sentinel directory
// that the entries aim at, and the places an escaped file would land.
type hostState struct {
	sentinel string
	secret   string
	tag      string // in the name of every file an entry tries to write
	storage  string
	envDir   string
}

const sentinelFile = "target"

func newHostState(t *testing.T, e *env, tag string) *hostState {
	t.Helper()
	h := &hostState{
		sentinel: filepath.Join(e.dir, "sentinel"),
		secret:   "host-secret-" + tag,
		tag:      tag,
		storage:  filepath.Join(e.dir, "data", "burrow", "storage"),
		envDir:   e.dir,
	}
	if err := os.Mkdir(h.sentinel, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(h.sentinel, sentinelFile), []byte(h.secret), 0o644); err != nil {
		t.Fatal(err)
	}
	return h
}

// check fails the test if anything was written outside a layer.
func (h *hostState) check(t *testing.T, when string) {
	t.Helper()
	entries, err := os.ReadDir(h.sentinel)
	if err != nil {
		t.Fatalf("%s: read the sentinel directory: %v", when, err)
	}
	if len(entries) != 1 || entries[0].Name() != sentinelFile {
		var names []string
		for _, en := range entries {
			names = append(names, en.Name())
		}
		t.Errorf("%s: the host sentinel directory now holds %q, want only %s", when, names, sentinelFile)
	}
	target := filepath.Join(h.sentinel, sentinelFile)
	fi, err := os.Lstat(target)
	if err != nil {
		t.Fatalf("%s: the host sentinel file: %v", when, err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644 {
		t.Errorf("%s: the host sentinel file is now %v", when, fi.Mode())
	}
	if n := fi.Sys().(*syscall.Stat_t).Nlink; n != 1 {
		t.Errorf("%s: the host sentinel file has %d links: a layer links to it", when, n)
	}
	if data, _ := os.ReadFile(target); string(data) != h.secret {
		t.Errorf("%s: the host sentinel file now reads %q", when, data)
	}
	// The storage's parents, the env dir and /tmp: top level only.
	for d := h.storage; ; d = filepath.Dir(d) {
		h.noTagged(t, when, d)
		if d == "/" {
			break
		}
	}
	for _, d := range []string{"/tmp", "/var/tmp", os.TempDir()} {
		h.noTagged(t, when, d)
	}
	// Everything under the env dir: a tagged file is only allowed inside a
	// layer's own tree, and no layer holds a real device node.
	_ = filepath.WalkDir(h.envDir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // a directory of another subordinate ID: not ours to read
		}
		if strings.Contains(d.Name(), h.tag) && !h.inLayer(path) {
			t.Errorf("%s: escaped file %s", when, path)
		}
		if d.Type()&fs.ModeCharDevice != 0 || d.Type()&fs.ModeDevice != 0 {
			if fi, err := os.Lstat(path); err == nil {
				if rdev := fi.Sys().(*syscall.Stat_t).Rdev; rdev != 0 { // 0:0 is an overlay whiteout
					t.Errorf("%s: device node %s (rdev %#x) on the host", when, path, rdev)
				}
			}
		}
		return nil
	})
}

func (h *hostState) noTagged(t *testing.T, when, dir string) {
	t.Helper()
	for _, en := range listDir(t, dir) {
		if strings.Contains(en.Name(), h.tag) {
			t.Errorf("%s: escaped file %s", when, filepath.Join(dir, en.Name()))
		}
	}
}

// inLayer reports whether path is inside a layer's root: overlay's
// <storage>/overlay/<id>/diff/... or vfs's <storage>/vfs/dir/<id>/...
func (h *hostState) inLayer(path string) bool {
	rel, err := filepath.Rel(h.storage, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return false
	}
	parts := strings.Split(rel, string(filepath.Separator))
	switch {
	case len(parts) > 3 && parts[0] == "overlay" && parts[2] == "diff":
		return true
	case len(parts) > 3 && parts[0] == "vfs" && parts[1] == "dir":
		return true
	}
	return false
}

// unsafeCase is a layer that tries to write outside itself.
type unsafeCase struct {
	name    string
	entries func(h *hostState) []rawEntry
	// inside is a shell script run in the container when the image was
	// stored; confined(out) says whether its output shows confinement.
	inside   func(h *hostState) string
	confined func(h *hostState, out string) bool
}

// noHostSecret is the default check: the container never sees the host's
// sentinel file.
func noHostSecret(h *hostState, out string) bool { return !strings.Contains(out, h.secret) }

func unsafeCases() []unsafeCase {
	lsSentinel := func(h *hostState) string {
		return "ls -a " + h.sentinel + " 2>&1; cat " + h.sentinel + "/" + sentinelFile + " 2>&1; true"
	}
	return []unsafeCase{
		{
			name: "dotdot",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawReg("../../escape-"+h.tag, "dotdot"),
					rawReg(strings.Repeat("../", 20)+strings.TrimPrefix(h.sentinel, "/")+"/escape-deep-"+h.tag, "deep"),
				}
			},
			inside:   lsSentinel,
			confined: noHostSecret,
		},
		{
			name: "absolute",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawReg("/escape-abs-"+h.tag, "abs"),
					rawReg(h.sentinel+"/escape-abs-"+h.tag, "abs"),
				}
			},
			inside:   lsSentinel,
			confined: noHostSecret,
		},
		{
			name: "symlink-dir",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawSymlink("evil", h.sentinel),
					rawReg("evil/pwned-"+h.tag, "pwned"),
					rawReg("evil/"+sentinelFile, "overwritten"),
				}
			},
			// The files went through the link, inside the container's root.
			inside: func(h *hostState) string {
				return "readlink /evil; cat /evil/pwned-" + h.tag + "; echo; cat /evil/" + sentinelFile + "; echo"
			},
			confined: func(h *hostState, out string) bool {
				return out == h.sentinel+"\npwned\noverwritten\n"
			},
		},
		{
			name: "symlink-file",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawSymlink("evilfile-"+h.tag, h.sentinel+"/"+sentinelFile),
					rawReg("evilfile-"+h.tag, "overwritten"),
				}
			},
			inside: func(h *hostState) string {
				return "cat /evilfile-" + h.tag + " 2>&1; echo; " + "cat " + h.sentinel + "/" + sentinelFile + " 2>&1; true"
			},
			confined: noHostSecret,
		},
		{
			name: "symlink-chain",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawDir("chain/"),
					rawSymlink("chain/up", "../../.."),
					rawSymlink("chain/hop", "up/"+strings.TrimPrefix(h.sentinel, "/")),
					rawReg("chain/hop/escape-chain-"+h.tag, "chain"),
				}
			},
			inside: func(h *hostState) string {
				return "readlink /chain/up; cat /chain/hop/escape-chain-" + h.tag + " 2>&1; echo; ls -a " + h.sentinel + " 2>&1; true"
			},
			confined: func(h *hostState, out string) bool {
				return noHostSecret(h, out) && !strings.Contains(out, sentinelFile)
			},
		},
		{
			name: "hardlink-relative",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{rawHardlink("passwd-link-"+h.tag, "../../../etc/passwd")}
			},
			// If stored, the link can only be to the image's own passwd.
			inside: func(h *hostState) string { return "cat /passwd-link-" + h.tag + " 2>&1; true" },
			confined: func(h *hostState, out string) bool {
				return !strings.Contains(out, hostUserLine())
			},
		},
		{
			name: "hardlink-absolute",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawHardlink("hostlink-"+h.tag, h.sentinel+"/"+sentinelFile),
					rawReg("hostlink-"+h.tag, "overwritten through a hard link"),
				}
			},
			inside:   func(h *hostState) string { return "cat /hostlink-" + h.tag + " 2>&1; true" },
			confined: noHostSecret,
		},
		{
			name: "char-device",
			entries: func(h *hostState) []rawEntry {
				return []rawEntry{
					rawDir("devices/"),
					{hdr: tar.Header{Name: "devices/null-" + h.tag, Typeflag: tar.TypeChar, Mode: 0o666, Devmajor: 1, Devminor: 3}},
				}
			},
			// Even if a node were made, the mount must not honour it.
			inside: func(h *hostState) string {
				f := "/devices/null-" + h.tag
				return "if [ -c " + f + " ]; then if echo x 2>/dev/null > " + f + "; then echo usable; else echo nodev; fi; " +
					"elif [ -e " + f + " ]; then echo not-a-device; else echo absent; fi"
			},
			confined: func(h *hostState, out string) bool { return !strings.Contains(out, "usable") },
		},
	}
}

// hostUserLine is the test user's line in the host's /etc/passwd: what a
// hard link to the host file would show.
func hostUserLine() string {
	data, _ := os.ReadFile("/etc/passwd")
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, os.Getenv("USER")+":") {
			return l
		}
	}
	return "\x00no host user line\x00"
}

func randomTag(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// storeUnsafe runs a load or import of an unsafe layer, checks the host
// and, when the image was stored, the container; it says what happened.
func storeUnsafe(t *testing.T, e *env, h *hostState, what string, args []string, ref string, c unsafeCase, runnable bool) string {
	t.Helper()
	r := e.burrow(args...)
	h.check(t, what)
	switch {
	case r.code == 125 && strings.HasPrefix(r.stderr, "Error: "):
		if out := e.ok("images", "--format", "{{.Repository}}:{{.Tag}}"); strings.Contains(out, ref) {
			t.Errorf("%s failed but left the image %s:\n%s", what, ref, out)
		}
		return "refused: " + firstLine(r.stderr)
	case r.code != 0:
		t.Errorf("%s: %s; want success or exit 125 with an Error: line", what, r)
		return "broken"
	}
	if !runnable {
		return "stored (no shell in the image to look inside)"
	}
	out := e.burrow("run", "--rm", ref, "sh", "-c", c.inside(h))
	h.check(t, what+", then run")
	if out.code != 0 {
		t.Errorf("%s stored the image, but it does not run: %s", what, out)
	}
	if !c.confined(h, out.stdout) {
		t.Errorf("%s: the container sees outside its layer:\n%s", what, out.stdout)
	}
	return "neutralised: " + strings.ReplaceAll(strings.TrimSpace(out.stdout), "\n", " | ")
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimPrefix(s, "Error: "), "\n")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// TestArchiveUnsafeEntries: layers whose entries aim outside the layer are
// refused or confined, by load and by import, and nothing reaches the host.
func TestArchiveUnsafeEntries(t *testing.T) {
	base, err := rootfsEntries()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range unsafeCases() {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			tag := randomTag(t)
			h := newHostState(t, e, tag)
			evil := c.entries(h)

			// load: the busybox layer, then the unsafe one on top.
			archive := filepath.Join(e.dir, "unsafe.tar")
			if err := writeDockerArchive(archive, []string{"unsafe:load"}, busyboxLayer(t), unsafeTar(t, nil, evil)); err != nil {
				t.Fatal(err)
			}
			load := storeUnsafe(t, e, h, "load", []string{"load", "-q", "-i", archive}, "unsafe:load", c, true)

			// import: one layer, the root filesystem with the unsafe entries.
			rootfs := filepath.Join(e.dir, "unsafe-rootfs.tar")
			if err := os.WriteFile(rootfs, unsafeTar(t, base, evil), 0o644); err != nil {
				t.Fatal(err)
			}
			imp := storeUnsafe(t, e, h, "import", []string{"import", "-q", "--change", `CMD ["/bin/sh"]`, rootfs, "unsafe:import"}, "unsafe:import", c, true)

			// import of the very layer that load stored: the store may
			// rebuild it from the stored layer instead of reading the file.
			bare := filepath.Join(e.dir, "unsafe-layer.tar")
			if err := os.WriteFile(bare, unsafeTar(t, nil, evil), 0o644); err != nil {
				t.Fatal(err)
			}
			same := storeUnsafe(t, e, h, "import of the loaded layer", []string{"import", "-q", bare, "unsafe:bare"}, "unsafe:bare", c, false)

			t.Logf("%s: load %s", c.name, load)
			t.Logf("%s: import %s", c.name, imp)
			t.Logf("%s: import of the same layer %s", c.name, same)
		})
	}
}

// TestArchiveSafeStillLoads: ordinary links within a layer are stored and
// work, so the refusals above are about the unsafe entries themselves.
func TestArchiveSafeStillLoads(t *testing.T) {
	e := newEnv(t)
	h := newHostState(t, e, randomTag(t))
	layer := unsafeTar(t, nil, []rawEntry{
		rawDir("data/"),
		rawReg("data/file", "content"),
		rawSymlink("data/rel", "file"),
		rawSymlink("data/abs", "/data/file"),
		rawHardlink("data/hard", "data/file"),
		rawSymlink("data/up", "../etc/group"),
	})
	archive := filepath.Join(e.dir, "safe.tar")
	if err := writeDockerArchive(archive, []string{"safe:1"}, busyboxLayer(t), layer); err != nil {
		t.Fatal(err)
	}
	e.ok("load", "-q", "-i", archive)
	h.check(t, "load")
	out := e.ok("run", "--rm", "safe:1", "sh", "-c", "cat /data/rel /data/abs /data/hard; echo; head -1 /data/up")
	if out != "contentcontentcontent\nroot:x:0:\n" {
		t.Errorf("in-layer links: %q", out)
	}
}
