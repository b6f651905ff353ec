package tests

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// volumeNames is what volume ls -q lists, sorted by burrow.
func (e *env) volumeNames() []string {
	e.t.Helper()
	return strings.Fields(e.ok("volume", "ls", "-q"))
}

func (e *env) mountpoint(name string) string {
	e.t.Helper()
	return strings.TrimSpace(e.ok("volume", "inspect", "--format", "{{.Mountpoint}}", name))
}

// volumeLeftovers lists the entries of the volume directory beyond the
// lock and the volumes named.
func (e *env) volumeLeftovers(keep ...string) []string {
	var left []string
	entries, _ := os.ReadDir(filepath.Join(e.dir, "data", "burrow", "volumes"))
	for _, d := range entries {
		if d.Name() != ".lock" && !contains(keep, d.Name()) {
			left = append(left, d.Name())
		}
	}
	return left
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestVolumeRoundTrip: a named volume is made on first use, outlives its
// container, is read by the next one, and inspect shows docker's fields;
// the directory belongs to the container's root, which is the user.
func TestVolumeRoundTrip(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "--name", "w", "-v", "pgdata:/var/lib/data", busyboxImage, "sh", "-c", "echo kept > /var/lib/data/f")
	format := "{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.RW}}{{end}}"
	if out, want := e.ok("inspect", "--format", format, "w"), "volume pgdata "+e.mountpoint("pgdata")+" /var/lib/data true\n"; out != want {
		t.Errorf("inspect .Mounts: %q, want %q", out, want)
	}
	e.ok("rm", "w")
	if out := e.ok("run", "--rm", "-v", "pgdata:/d", busyboxImage, "cat", "/d/f"); out != "kept\n" {
		t.Fatalf("second container read %q", out)
	}
	var info []map[string]any
	if err := json.Unmarshal([]byte(e.ok("volume", "inspect", "pgdata")), &info); err != nil || len(info) != 1 {
		t.Fatalf("inspect: %v %v", info, err)
	}
	for _, k := range []string{"Name", "Driver", "Mountpoint", "Labels", "Options", "CreatedAt", "Scope"} {
		if _, ok := info[0][k]; !ok {
			t.Errorf("inspect lacks %s: %v", k, info[0])
		}
	}
	if info[0]["Name"] != "pgdata" || info[0]["Driver"] != "local" {
		t.Errorf("inspect: %v", info[0])
	}
	mp := e.mountpoint("pgdata")
	var st unix.Stat_t
	if err := unix.Stat(mp, &st); err != nil || int(st.Uid) != os.Getuid() {
		t.Errorf("mountpoint %s: uid %d (%v), want the user %d (the container's root)", mp, st.Uid, err, os.Getuid())
	}
	if b, err := os.ReadFile(filepath.Join(mp, "f")); err != nil || string(b) != "kept\n" {
		t.Errorf("host side of the volume: %q %v", b, err)
	}
	e.ok("volume", "create", "--label", "app=db", "other")
	if got := strings.Fields(e.ok("volume", "ls", "-q", "--filter", "label=app=db")); len(got) != 1 || got[0] != "other" {
		t.Errorf("ls --filter label: %v", got)
	}
	if r := e.burrow("volume", "exists", "other"); r.code != 0 {
		t.Errorf("exists: %s", r)
	}
	if r := e.burrow("volume", "exists", "nosuch"); r.code != 1 {
		t.Errorf("exists of a missing volume: %s, want exit 1", r)
	}
	if out := e.ok("volume", "ls", "--format", "{{.Name}}:{{.Driver}}"); out != "other:local\npgdata:local\n" {
		t.Errorf("ls --format: %q", out)
	}
}

// copyUpImage loads an image whose /data belongs to uid 999 (mode 0755),
// holds a file with a user xattr and a 0700 directory, and declares
// VOLUME /srv/cache with content.
func copyUpImage(t *testing.T, e *env) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mt := time.Unix(1700000000, 0)
	hdrs := []*tar.Header{
		{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o755, Uid: 999, Gid: 999, ModTime: mt},
		{Name: "data/private/", Typeflag: tar.TypeDir, Mode: 0o700, Uid: 999, Gid: 999, ModTime: mt},
		{Name: "data/seed", Typeflag: tar.TypeReg, Mode: 0o644, Uid: 999, Gid: 999, Size: 5, ModTime: mt,
			PAXRecords: map[string]string{"SCHILY.xattr.user.origin": "image"}},
		{Name: "data/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd", Uid: 999, Gid: 999, ModTime: mt},
		{Name: "data/hard1", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5, ModTime: mt},
		{Name: "data/private/hard2", Typeflag: tar.TypeLink, Linkname: "data/hard1", ModTime: mt},
		{Name: "srv/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mt},
		{Name: "srv/cache/", Typeflag: tar.TypeDir, Mode: 0o755, ModTime: mt},
		{Name: "srv/cache/warm", Typeflag: tar.TypeReg, Mode: 0o644, Size: 5, ModTime: mt},
	}
	for _, h := range hdrs {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			_, _ = tw.Write([]byte("seed\n")[:h.Size])
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(e.dir, "copyup.tar")
	cfg := map[string]any{"Cmd": []string{"/bin/sh"}, "Env": []string{"PATH=/bin"}, "Volumes": map[string]any{"/srv/cache": map[string]any{}}}
	if err := writeDockerArchiveConfig(archive, []string{"copyup:1"}, cfg, busyboxLayer(t), buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	e.ok("load", "-q", "-i", archive)
}

// TestVolumeCopyUp: an empty volume over an image directory gets its
// content with owners, modes and xattrs, once; nocopy keeps it empty; an
// image VOLUME becomes an anonymous volume with the content, which rm -v
// removes.
func TestVolumeCopyUp(t *testing.T) {
	e := detachedEnv(t)
	copyUpImage(t, e)
	const show = "stat -c '%n %u:%g %a' /data /data/private /data/seed; readlink /data/link; cat /data/seed"
	want := "/data 999:999 755\n/data/private 999:999 700\n/data/seed 999:999 644\n/etc/passwd\nseed\n"
	if out := e.ok("run", "--rm", "-v", "cu:/data", "copyup:1", "sh", "-c", show); out != want {
		t.Fatalf("copied-up volume:\n%s\nwant:\n%s", out, want)
	}
	// Two names of one file in the image are one file in the volume.
	links := e.ok("run", "--rm", "-v", "cu:/data", "copyup:1", "stat", "-c", "%i %h", "/data/hard1", "/data/private/hard2")
	if l := strings.Split(strings.TrimSpace(links), "\n"); len(l) != 2 || l[0] != l[1] || !strings.HasSuffix(l[0], " 2") {
		t.Errorf("hard links after copy-up (inode, links): %q, want one inode with 2 links", links)
	}
	seed := filepath.Join(e.mountpoint("cu"), "seed")
	buf := make([]byte, 64)
	if n, err := unix.Getxattr(seed, "user.origin", buf); err != nil || string(buf[:n]) != "image" {
		t.Errorf("xattr user.origin on %s: %q %v, want image", seed, buf[:max(n, 0)], err)
	}
	// Not empty any more: no second copy-up over what the container did.
	e.ok("run", "--rm", "-v", "cu:/data", "copyup:1", "rm", "/data/seed")
	if out := e.ok("run", "--rm", "-v", "cu:/data", "copyup:1", "ls", "/data"); strings.Contains(out, "seed") {
		t.Errorf("copy-up ran again into a volume with content: %q", out)
	}
	if out := e.ok("run", "--rm", "-v", "empty:/data:nocopy", "copyup:1", "ls", "-A", "/data"); out != "" {
		t.Errorf("nocopy volume holds %q", out)
	}
	if out := e.ok("run", "--rm", "--mount", "type=volume,src=empty2,dst=/data,volume-nocopy", "copyup:1", "ls", "-A", "/data"); out != "" {
		t.Errorf("volume-nocopy volume holds %q", out)
	}
	// The image's VOLUME: an anonymous volume with the image's content.
	e.ok("run", "--name", "img", "copyup:1", "cat", "/srv/cache/warm")
	var anon []string
	for _, n := range e.volumeNames() {
		if len(n) == 64 {
			anon = append(anon, n)
		}
	}
	if len(anon) != 1 {
		t.Fatalf("volumes after a run of an image with a VOLUME: %v, want one anonymous", e.volumeNames())
	}
	if b, err := os.ReadFile(filepath.Join(e.mountpoint(anon[0]), "warm")); err != nil || string(b) != "seed\n" {
		t.Errorf("image VOLUME content: %q %v", b, err)
	}
	e.ok("rm", "-v", "img")
	if contains(e.volumeNames(), anon[0]) {
		t.Errorf("rm -v left the anonymous volume %s", anon[0])
	}
}

// TestVolumeAnonymousLifecycle: --rm removes anonymous volumes, rm keeps
// them, rm -v removes them; named volumes always stay.
func TestVolumeAnonymousLifecycle(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "--rm", "-v", "/cache", "-v", "named:/n", busyboxImage, "sh", "-c", "echo x > /cache/x")
	if got := e.volumeNames(); len(got) != 1 || got[0] != "named" {
		t.Fatalf("after run --rm: %v, want only the named volume", got)
	}
	e.ok("run", "-d", "--rm", "--name", "d", "-v", "/dcache", busyboxImage, "sleep", "0.2")
	if !waitFor(15*time.Second, func() bool { return len(e.volumeNames()) == 1 }) {
		t.Fatalf("a detached --rm container left volumes: %v", e.volumeNames())
	}
	e.ok("run", "--name", "keep", "-v", "/c1", busyboxImage, "true")
	e.ok("rm", "keep")
	if got := e.volumeNames(); len(got) != 2 {
		t.Fatalf("rm without -v: %v, want the anonymous volume kept (dangling)", got)
	}
	if got := strings.Fields(e.ok("volume", "ls", "-q", "--filter", "dangling=true")); len(got) != 2 {
		t.Errorf("dangling volumes: %v", got)
	}
	if got := strings.Fields(e.ok("volume", "ls", "-q", "--filter", "label=com.docker.volume.anonymous")); len(got) != 1 || len(got[0]) != 64 {
		t.Errorf("anonymous volumes by docker's label: %v", got)
	}
	e.ok("run", "--name", "gone", "-v", "/c2", "-v", "named:/n", busyboxImage, "true")
	before := e.volumeNames()
	e.ok("rm", "-v", "gone")
	if got := e.volumeNames(); len(got) != len(before)-1 || !contains(got, "named") {
		t.Errorf("rm -v: %v -> %v, want one anonymous volume fewer and named kept", before, got)
	}
}

// TestVolumeInUse: rm of a used volume fails naming the container, -f
// removes the container first; prune leaves used volumes; two containers
// share one volume.
func TestVolumeInUse(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "a", "-v", "shared:/s", busyboxImage, "sh", "-c", "echo from-a > /s/a; sleep 100")
	e.ok("run", "-d", "--name", "b", "-v", "shared:/s", busyboxImage, "sleep", "100")
	if !waitFor(10*time.Second, func() bool {
		return e.burrow("exec", "b", "cat", "/s/a").stdout == "from-a\n"
	}) {
		t.Fatalf("b does not see a's write: %s", e.burrow("exec", "b", "cat", "/s/a"))
	}
	e.ok("volume", "create", "unused")
	e.ok("volume", "create", "--label", "keep=1", "labelled")
	r := e.burrow("volume", "rm", "shared")
	if r.code != 125 || !strings.Contains(r.stderr, "a") || !strings.Contains(r.stderr, "used by container") {
		t.Fatalf("rm of a volume in use: %s", r)
	}
	if out := e.ok("volume", "prune", "-f", "--filter", "label=keep"); out != "labelled\n" {
		t.Errorf("prune --filter label=keep removed %q, want labelled only", out)
	}
	if out := e.ok("volume", "prune", "-f"); out != "unused\n" {
		t.Errorf("prune removed %q, want unused only", out)
	}
	e.ok("volume", "rm", "-f", "shared")
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("volume rm -f left containers: %q", out)
	}
	if got := e.volumeNames(); len(got) != 0 {
		t.Errorf("volumes left: %v", got)
	}
	if r := e.burrow("volume", "rm", "shared"); r.code != 125 || !strings.Contains(r.stderr, "no such volume") {
		t.Errorf("rm of a missing volume: %s", r)
	}
	// A foreground --rm container removes its own anonymous volume while
	// volume rm -f removes it: neither waits for the other.
	fg := exec.Command(burrowBin, "run", "--rm", "-v", "fg:/s", "-v", "/fganon", busyboxImage, "sleep", "100")
	fg.Env = e.vars
	if err := fg.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = fg.Process.Kill(); _ = fg.Wait() }()
	// Until exec works: rm -f of a foreground container that ps has only
	// just shown can miss it (the same with plain rm -f on main; see the
	// note of this branch).
	if !waitFor(15*time.Second, func() bool {
		id := strings.TrimSpace(e.ok("ps", "-q"))
		return id != "" && e.burrow("exec", id, "true").code == 0
	}) {
		t.Fatal("the foreground container never ran")
	}
	start := time.Now()
	e.ok("volume", "rm", "-f", "fg")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("volume rm -f of a volume a foreground container uses took %v", d)
	}
	_ = fg.Wait()
	if got := e.volumeNames(); len(got) != 0 {
		t.Errorf("volumes left: %v", got)
	}
}

// TestVolumesFrom: the data-volume-container pattern, :ro refusing writes.
func TestVolumesFrom(t *testing.T) {
	e := detachedEnv(t)
	host := filepath.Join(e.dir, "home", "bind")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	e.ok("create", "--name", "dbdata", "-v", "/dbdata", "-v", "named:/named", "-v", host+":/bind", "-v", host+":/over:O", busyboxImage, "true")
	e.ok("run", "--rm", "--volumes-from", "dbdata", busyboxImage, "sh", "-c", "echo 1 > /dbdata/f; echo 2 > /named/f; echo 3 > /bind/f")
	if out := e.ok("run", "--rm", "--volumes-from", "dbdata:ro", busyboxImage, "cat", "/dbdata/f", "/named/f", "/bind/f"); out != "1\n2\n3\n" {
		t.Errorf("read through --volumes-from :ro: %q", out)
	}
	r := e.burrow("run", "--rm", "--volumes-from", "dbdata:ro", busyboxImage, "touch", "/dbdata/x")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only") {
		t.Errorf("write through :ro: %s", r)
	}
	// dbdata's :O mount is not handed on: its host directory is what
	// dbdata was kept from writing.
	if r := e.burrow("run", "--rm", "--volumes-from", "dbdata", busyboxImage, "test", "-e", "/over"); r.code == 0 {
		t.Errorf("--volumes-from handed on an :O mount")
	}
	// The anonymous volume is dbdata's: a --rm user does not take it along.
	if got := e.volumeNames(); len(got) != 2 {
		t.Errorf("volumes: %v, want dbdata's anonymous one and named", got)
	}
}

// hostID maps a container uid to the host through the namespace's map.
func hostID(t *testing.T, e *env, id int) int {
	t.Helper()
	for _, line := range strings.Split(e.ok("unshare", "cat", "/proc/self/uid_map"), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			continue
		}
		in, _ := strconv.Atoi(f[0])
		out, _ := strconv.Atoi(f[1])
		n, _ := strconv.Atoi(f[2])
		if id >= in && id < in+n {
			return out + id - in
		}
	}
	t.Skipf("uid %d is not mapped (no subordinate range)", id)
	return -1
}

// TestVolumeChownU: :U gives the host directory to the subordinate uid
// that is the container user.
func TestVolumeChownU(t *testing.T) {
	e := detachedEnv(t)
	host := filepath.Join(e.dir, "home", "src")
	if err := os.MkdirAll(filepath.Join(host, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(host, "sub", "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The files end up owned by a subordinate uid: only the namespace's
	// root can remove them.
	t.Cleanup(func() { e.burrow("unshare", "rm", "-rf", host) })
	want := hostID(t, e, 1000)
	if out := e.ok("run", "--rm", "-u", "1000:1000", "-v", host+":/src:U", busyboxImage, "sh", "-c", "touch /src/new && stat -c %u /src/sub/f"); out != "1000\n" {
		t.Errorf("owner in the container: %q", out)
	}
	for _, p := range []string{host, filepath.Join(host, "sub", "f"), filepath.Join(host, "new")} {
		var st unix.Stat_t
		if err := unix.Lstat(p, &st); err != nil || int(st.Uid) != want {
			t.Errorf("%s: host uid %d (%v), want %d", p, st.Uid, err, want)
		}
	}
}

// TestVolumeMountSyntax: --mount of the three types.
func TestVolumeMountSyntax(t *testing.T) {
	e := detachedEnv(t)
	host := filepath.Join(e.dir, "home", "h")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(host, "f"), []byte("host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	script := "cat /src/f; echo v > /data/v; stat -c %a /run; df -k /run | tail -1 | awk '{print $2}'; touch /ro/x 2>&1 | grep -c Read-only"
	out := e.ok("run", "--rm",
		"--mount", "type=bind,src="+host+",dst=/src,bind-propagation=rslave",
		"--mount", "type=volume,src=mv,dst=/data",
		"--mount", "type=volume,source=mv,target=/ro,readonly",
		"--mount", "type=tmpfs,dst=/run,tmpfs-size=64m,tmpfs-mode=1777",
		busyboxImage, "sh", "-c", script)
	if out != "host\n1777\n65536\n1\n" {
		t.Errorf("--mount output %q", out)
	}
	if b, err := os.ReadFile(filepath.Join(e.mountpoint("mv"), "v")); err != nil || string(b) != "v\n" {
		t.Errorf("volume through --mount: %q %v", b, err)
	}
}

// TestVolumeDrivers: a tmpfs volume and a bind-type volume.
func TestVolumeDrivers(t *testing.T) {
	e := detachedEnv(t)
	e.ok("volume", "create", "-o", "type=tmpfs", "-o", "o=size=2m", "tv")
	if out := e.ok("run", "--rm", "-v", "tv:/t", busyboxImage, "sh", "-c", "df -k /t | tail -1 | awk '{print $1, $2}'"); out != "tmpfs 2048\n" {
		t.Errorf("tmpfs volume: %q", out)
	}
	host := filepath.Join(e.dir, "home", "dev")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	e.ok("volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device="+host, "bv")
	e.ok("run", "--rm", "-v", "bv:/b", busyboxImage, "sh", "-c", "echo through > /b/f")
	if b, err := os.ReadFile(filepath.Join(host, "f")); err != nil || string(b) != "through\n" {
		t.Errorf("bind-type volume: %q %v", b, err)
	}
	e.ok("volume", "rm", "bv")
	if _, err := os.Stat(filepath.Join(host, "f")); err != nil {
		t.Errorf("volume rm of a bind-type volume touched the host directory: %v", err)
	}
}

// TestVolumeExportImport: a tar out of one volume into another.
func TestVolumeExportImport(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "--rm", "-v", "src:/d", busyboxImage, "sh", "-c", "mkdir /d/sub && echo deep > /d/sub/f && chown 1000:1000 /d/sub/f && ln -s /etc/hostname /d/l")
	archive := filepath.Join(e.dir, "v.tar")
	e.ok("volume", "export", "-o", archive, "src")
	e.ok("volume", "create", "dst")
	e.ok("volume", "import", "dst", archive)
	if out := e.ok("run", "--rm", "-v", "dst:/d", busyboxImage, "sh", "-c", "cat /d/sub/f; stat -c %u /d/sub/f; readlink /d/l"); out != "deep\n1000\n/etc/hostname\n" {
		t.Errorf("imported volume: %q", out)
	}
	if r := e.burrow("volume", "import", "nosuch", archive); r.code != 125 {
		t.Errorf("import into a missing volume: %s", r)
	}
}

// TestVolumeOptions: :O leaves the host directory as it was, noexec and
// ro hold, z/Z are accepted (SELinux off: nothing to do), and
// --read-only --read-only-tmpfs keeps /tmp, /var/tmp and /run writable.
func TestVolumeOptions(t *testing.T) {
	e := detachedEnv(t)
	host := filepath.Join(e.dir, "home", "o")
	if err := os.MkdirAll(host, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(host, "f"), []byte("orig\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := e.ok("run", "--rm", "-v", host+":/o:O", busyboxImage, "sh", "-c", "echo changed > /o/f; touch /o/new; cat /o/f"); out != "changed\n" {
		t.Errorf(":O in the container: %q", out)
	}
	if b, _ := os.ReadFile(filepath.Join(host, "f")); string(b) != "orig\n" {
		t.Errorf(":O changed the host file: %q", b)
	}
	if _, err := os.Stat(filepath.Join(host, "new")); err == nil {
		t.Errorf(":O created a file on the host")
	}
	r := e.burrow("run", "--rm", "-v", "nx:/x:noexec", busyboxImage, "sh", "-c", "cp /bin/busybox /x/bb && /x/bb true")
	if r.code != 126 {
		t.Errorf("exec on a noexec volume: %s, want 126", r)
	}
	r = e.burrow("run", "--rm", "-v", host+":/h:ro,z", "-v", "nx:/x:Z,nosuid,nodev", busyboxImage, "sh", "-c", "grep -E ' /(h|x) ' /proc/mounts; touch /h/y")
	if r.code == 0 || !strings.Contains(r.stderr, "Read-only") {
		t.Errorf("ro bind: %s", r)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if f := strings.Fields(l); len(f) > 3 && f[1] == "/x" && !(strings.Contains(f[3], "nosuid") && strings.Contains(f[3], "nodev")) {
			t.Errorf("nosuid,nodev volume mounted %q", f[3])
		}
	}
	if out := e.ok("run", "--rm", "--read-only", "-v", "rw:/data", busyboxImage, "sh", "-c", "echo x > /data/f && cat /data/f"); out != "x\n" {
		t.Errorf("a volume under --read-only: %q", out)
	}
	out := e.ok("run", "--rm", "--read-only", "--read-only-tmpfs", busyboxImage, "sh", "-c",
		"touch /tmp/a /var/tmp/b /run/c && echo writable; touch /etc/x 2>&1 | grep -c Read-only")
	if out != "writable\n1\n" {
		t.Errorf("--read-only --read-only-tmpfs: %q", out)
	}
}

// TestVolumeBadInput: each bad value fails with exit 125 and a clear
// message, and leaves no volume, container or half-made directory.
func TestVolumeBadInput(t *testing.T) {
	e := detachedEnv(t)
	missing := filepath.Join(e.dir, "missing")
	cases := []struct {
		args []string
		why  string
	}{
		{[]string{"volume", "create", "a/b"}, "volume name"},
		{[]string{"volume", "create", ".."}, "volume name"},
		{[]string{"volume", "create", "a b"}, "volume name"},
		{[]string{"volume", "create", strings.Repeat("x", 256)}, "at most 255"},
		{[]string{"volume", "create", "-o", "type=none", "-o", "o=bind", "-o", "device=" + missing, "dv"}, "not a directory"},
		{[]string{"volume", "create", "-o", "type=nfs", "nv"}, "type nfs"},
		{[]string{"volume", "create", "-d", "nfs", "nv"}, "only local"},
		{[]string{"run", "--rm", "-v", "rel/path:/x", busyboxImage, "true"}, "neither an absolute host path nor a volume name"},
		{[]string{"run", "--rm", "-v", "v:/x:bogus", busyboxImage, "true"}, `unknown option "bogus"`},
		{[]string{"run", "--rm", "--mount", "type=volume,src=v,dst=/x,bogus=1", busyboxImage, "true"}, `unknown option "bogus"`},
		{[]string{"run", "--rm", "--mount", "type=tmpfs,src=v,dst=/x", busyboxImage, "true"}, "takes no source"},
		{[]string{"run", "--rm", "--volumes-from", "nosuch", "-v", "v:/x", busyboxImage, "true"}, "no such container"},
		{[]string{"run", "--rm", "-v", missing + ":/x", busyboxImage, "true"}, "bind source"},
		{[]string{"run", "--rm", "-v", "v:/x", "-v", "w:/x", busyboxImage, "true"}, "destination of two mounts"},
		{[]string{"run", "--rm", "-v", "v:/x:O", busyboxImage, "true"}, "O needs a host directory"},
		{[]string{"volume", "rm", "nosuch"}, "no such volume"},
	}
	for _, c := range cases {
		r := e.burrow(c.args...)
		if r.code != 125 || !strings.Contains(r.stderr, c.why) {
			t.Errorf("burrow %s: %s\nwant exit 125 saying %q", strings.Join(c.args, " "), r, c.why)
		}
	}
	if got := e.volumeNames(); len(got) != 0 {
		t.Errorf("bad input left volumes: %v", got)
	}
	if left := e.volumeLeftovers(); len(left) != 0 {
		t.Errorf("bad input left in the volume directory: %v", left)
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("bad input left containers: %q", out)
	}
}

// TestVolumeConcurrentCreate: two creates of one name at once give one
// volume and one clear error.
func TestVolumeConcurrentCreate(t *testing.T) {
	e := detachedEnv(t)
	for round := 0; round < 3; round++ {
		name := fmt.Sprintf("race%d", round)
		var wg sync.WaitGroup
		results := make([]result, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = e.burrow("volume", "create", name)
			}()
		}
		wg.Wait()
		ok, inUse := 0, 0
		for _, r := range results {
			switch {
			case r.code == 0:
				ok++
			case r.code == 125 && strings.Contains(r.stderr, "already in use"):
				inUse++
			default:
				t.Errorf("create %s: %s", name, r)
			}
		}
		if ok != 1 || inUse != 1 {
			t.Errorf("round %d: %d created, %d refused; want 1 and 1", round, ok, inUse)
		}
	}
	if left := e.volumeLeftovers("race0", "race1", "race2"); len(left) != 0 {
		t.Errorf("left in the volume directory: %v", left)
	}
	// --ignore (podman's): the volume that is there, as it is, and no
	// error; two of them at once both succeed. Bad options still fail.
	e.ok("volume", "create", "--label", "first=1", "same")
	var wg sync.WaitGroup
	results := make([]result, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.burrow("volume", "create", "--ignore", "--label", "second=1", "same")
		}()
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 || r.stdout != "same\n" {
			t.Errorf("create --ignore of an existing volume: %s", r)
		}
	}
	if out := e.ok("volume", "inspect", "--format", "{{.Labels}}", "same"); out != "map[first:1]\n" {
		t.Errorf("create --ignore changed the labels: %q", out)
	}
	if r := e.burrow("volume", "create", "--ignore", "-o", "type=bogus", "same"); r.code != 125 {
		t.Errorf("create --ignore with a bad option: %s", r)
	}
	if r := e.burrow("volume", "create", "same"); r.code != 125 || !strings.Contains(r.stderr, "already in use") {
		t.Errorf("create of an existing volume without --ignore: %s", r)
	}
}

// TestVolumeKill: a run --rm killed with SIGKILL while its container uses
// an anonymous and a named volume leaves, after the next command, the
// named volume and nothing else; volume creates killed at random points
// leave either a whole volume or none.
func TestVolumeKill(t *testing.T) {
	e := detachedEnv(t)
	cmd := exec.Command(burrowBin, "run", "--rm", "-v", "/anon", "-v", "kept:/k", busyboxImage, "sh", "-c", "echo x > /anon/x; sleep 100")
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(15*time.Second, func() bool { return len(e.volumeNames()) == 2 && e.ok("ps", "-q") != "" }) {
		_ = cmd.Process.Kill()
		t.Fatalf("the container never ran: volumes %v", e.volumeNames())
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if got := e.volumeNames(); len(got) != 1 || got[0] != "kept" {
		t.Errorf("after the kill: volumes %v, want kept alone", got)
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("after the kill: containers %q", out)
	}
	for i := 0; i < 12; i++ {
		c := exec.Command(burrowBin, "volume", "create", fmt.Sprintf("k%d", i))
		c.Env = e.vars
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(i*3) * time.Millisecond)
		_ = c.Process.Signal(syscall.SIGKILL)
		_ = c.Wait()
	}
	names := e.volumeNames()
	for _, n := range names {
		if fi, err := os.Stat(e.mountpoint(n)); err != nil || !fi.IsDir() {
			t.Errorf("volume %s is half made: %v", n, err)
		}
	}
	if left := e.volumeLeftovers(names...); len(left) != 0 {
		t.Errorf("killed creates left %v", left)
	}
}

// TestVolumeAPI: docker's CLI through the socket: a named volume in
// HostConfig.Binds is made on first use and kept, and rm -v removes a
// container's anonymous volumes.
func TestVolumeAPI(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	if r := a.docker("run", "--name", "x", "-v", "apivol:/n", busyboxImage, "sh", "-c", "echo hi > /n/f"); r.code != 0 {
		t.Fatalf("docker run: %s", r)
	}
	a.ok("create", "--name", "y", "-v", "/anon", busyboxImage, "true")
	if got := a.volumeNames(); len(got) != 2 || !contains(got, "apivol") {
		t.Fatalf("volumes: %v", got)
	}
	for _, c := range []string{"x", "y"} {
		if r := a.docker("rm", "-v", c); r.code != 0 {
			t.Fatalf("docker rm -v %s: %s", c, r)
		}
	}
	if got := a.volumeNames(); len(got) != 1 || got[0] != "apivol" {
		t.Errorf("after docker rm -v: %v, want apivol alone", got)
	}
	if out := a.ok("run", "--rm", "-v", "apivol:/n", busyboxImage, "cat", "/n/f"); out != "hi\n" {
		t.Errorf("apivol holds %q", out)
	}
}

// TestVolumePropagation: a bind with rslave sees a mount made under its
// source after the container started; a bind without a propagation
// (docker's rprivate) does not. The source is made a shared mount in
// burrow's namespace first, as a systemd host's are.
func TestVolumePropagation(t *testing.T) {
	e := detachedEnv(t)
	src := filepath.Join(e.dir, "home", "prop")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	e.ok("unshare", "sh", "-c", "mount --bind "+src+" "+src+" && mount --make-shared "+src)
	t.Cleanup(func() { e.burrow("unshare", "sh", "-c", "umount "+src+"/sub; umount "+src) })
	e.ok("run", "-d", "--name", "slave", "-v", src+":/p:rslave", busyboxImage, "sleep", "100")
	e.ok("run", "-d", "--name", "private", "--mount", "type=bind,src="+src+",dst=/p", busyboxImage, "sleep", "100")
	e.ok("unshare", "mount", "-t", "tmpfs", "later", filepath.Join(src, "sub"))
	if out := e.ok("exec", "slave", "sh", "-c", "grep -c ' /p/sub ' /proc/self/mountinfo || true"); out != "1\n" {
		t.Errorf("rslave bind: the later mount appears %q times, want 1", strings.TrimSpace(out))
	}
	if out := e.ok("exec", "private", "sh", "-c", "grep -c ' /p/sub ' /proc/self/mountinfo || true"); out != "0\n" {
		t.Errorf("private bind: the later mount appears %q times, want 0", strings.TrimSpace(out))
	}
}

// manyFilesImage loads many:1, busybox with /data holding files files.
func manyFilesImage(t *testing.T, e *env, files int) {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "data/", Typeflag: tar.TypeDir, Mode: 0o755})
	for i := 0; i < files; i++ {
		_ = tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("data/f%d", i), Mode: 0o644, Size: 2})
		_, _ = tw.Write([]byte("x\n"))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(e.dir, "many.tar")
	if err := writeDockerArchive(archive, []string{"many:1"}, busyboxLayer(t), buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	e.ok("load", "-q", "-i", archive)
}

// TestVolumeKillDuringCopyUp: runs killed while they copy an image
// directory of 4,000 files into a new volume leave each volume empty or
// whole, and the next run of an empty one copies it up.
func TestVolumeKillDuringCopyUp(t *testing.T) {
	e := detachedEnv(t)
	const files = 4000
	manyFilesImage(t, e, files)
	counts := map[int]int{}
	for i := 0; i < 8; i++ {
		cmd := exec.Command(burrowBin, "run", "--rm", "-v", fmt.Sprintf("k%d:/data", i), "many:1", "true")
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+i*350) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	for _, name := range e.volumeNames() {
		entries, err := os.ReadDir(e.mountpoint(name))
		if err != nil {
			t.Fatal(err)
		}
		n := len(entries)
		counts[n]++
		if n != 0 && n != files {
			t.Errorf("volume %s holds %d files: a killed copy-up left it half full", name, n)
		}
		if n == 0 {
			if out := e.ok("run", "--rm", "-v", name+":/data", "many:1", "sh", "-c", "ls /data | wc -l"); strings.TrimSpace(out) != strconv.Itoa(files) {
				t.Errorf("the next run of %s copied up %s files", name, out)
			}
		}
	}
	t.Logf("volumes by file count after the kills: %v", counts)
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("containers left: %q", out)
	}

	// In place: a running container uses each volume, so the copy goes
	// into the very directory it has mounted. A kill leaves the volume
	// empty, or a finished copy that the next command moves in.
	keeper := []string{"run", "-d", "--name", "keeper"}
	for i := 0; i < 8; i++ {
		keeper = append(keeper, "-v", fmt.Sprintf("s%d:/s%d", i, i))
	}
	e.ok(append(keeper, busyboxImage, "sleep", "1000")...)
	for i := 0; i < 8; i++ {
		cmd := exec.Command(burrowBin, "run", "--rm", "-v", fmt.Sprintf("s%d:/data", i), "many:1", "true")
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+i*350) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	shared := map[int]int{}
	e.ok("volume", "ls") // the lock's repair
	for i := 0; i < 8; i++ {
		name := fmt.Sprintf("s%d", i)
		entries, err := os.ReadDir(e.mountpoint(name))
		if err != nil {
			t.Fatal(err)
		}
		n := len(entries)
		shared[n]++
		if n != 0 && n != files {
			t.Errorf("volume %s holds %d files: a killed in-place copy-up left it half full", name, n)
		}
		if left, _ := filepath.Glob(filepath.Join(filepath.Dir(e.mountpoint(name)), "_copyup*")); len(left) != 0 {
			t.Errorf("a killed in-place copy-up left %v", left)
		}
		if n == 0 {
			e.ok("run", "--rm", "-v", name+":/data", "many:1", "true")
		}
		if out := e.ok("exec", "keeper", "sh", "-c", fmt.Sprintf("ls /s%d | wc -l", i)); strings.TrimSpace(out) != strconv.Itoa(files) {
			t.Errorf("the running container sees %s files in %s", strings.TrimSpace(out), name)
		}
	}
	t.Logf("in-place volumes by file count after the kills: %v", shared)
}

// TestVolumeTmpfsShared: a tmpfs volume is one tmpfs while containers use
// it, mounted on its directory in burrow's namespace: two containers at
// once see each other's files; after the last stops nothing stays
// mounted and the files are gone. A killed user leaves a mount that the
// next command takes away, and that the others who still run keep.
func TestVolumeTmpfsShared(t *testing.T) {
	e := detachedEnv(t)
	e.ok("volume", "create", "-o", "type=tmpfs", "-o", "o=size=8m", "tv")
	mp := e.mountpoint("tv")
	mountedHere := func() int { return strings.Count(e.holderMounts(t), " "+mp+" ") }
	e.ok("run", "-d", "--name", "a", "-v", "tv:/t", busyboxImage, "sh", "-c", "echo from-a > /t/a; sleep 100")
	if !waitFor(10*time.Second, func() bool { return e.burrow("exec", "a", "cat", "/t/a").stdout == "from-a\n" }) {
		t.Fatalf("a never wrote its file: %s", e.burrow("exec", "a", "cat", "/t/a"))
	}
	if out := e.ok("run", "--rm", "-v", "tv:/t", busyboxImage, "sh", "-c", "cat /t/a; echo from-b > /t/b"); out != "from-a\n" {
		t.Errorf("a second container sees %q in the volume, want a's file", out)
	}
	if out := e.ok("exec", "a", "cat", "/t/b"); out != "from-b\n" {
		t.Errorf("a sees %q of the second container's file", out)
	}
	if n := mountedHere(); n != 1 {
		t.Errorf("the volume is mounted %d times while in use, want once", n)
	}
	e.ok("run", "-d", "--name", "c", "-v", "tv:/t", busyboxImage, "sleep", "100")
	e.ok("rm", "-f", "a")
	if out := e.ok("exec", "c", "cat", "/t/a"); out != "from-a\n" {
		t.Errorf("with c still using it, the volume lost a's file: %q", out)
	}
	e.ok("rm", "-f", "c")
	if n := mountedHere(); n != 0 {
		t.Errorf("after its last user stopped, the volume is mounted %d times", n)
	}
	if out := e.ok("run", "--rm", "-v", "tv:/t", busyboxImage, "ls", "-A", "/t"); out != "" {
		t.Errorf("a new user after the last stopped sees %q", out)
	}

	// start of a created container joins the running users' tmpfs.
	e.ok("create", "--name", "s", "-v", "tv:/t", busyboxImage, "cat", "/t/d")
	e.ok("run", "-d", "--name", "d", "-v", "tv:/t", busyboxImage, "sh", "-c", "echo from-d > /t/d; sleep 100")
	if !waitFor(10*time.Second, func() bool { return e.burrow("exec", "d", "cat", "/t/d").code == 0 }) {
		t.Fatal("d never wrote its file")
	}
	if out := e.ok("start", "-a", "s"); out != "from-d\n" {
		t.Errorf("a started container sees %q, want d's file", out)
	}

	// Killed users: with another running, the files stay; alone, they go.
	killedUser := func(file string) {
		t.Helper()
		cmd := exec.Command(burrowBin, "run", "--rm", "--name", "fg-"+file, "-v", "tv:/t", busyboxImage, "sh", "-c", "echo k > /t/"+file+"; sleep 100")
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if !waitFor(15*time.Second, func() bool { return e.burrow("exec", "fg-"+file, "cat", "/t/"+file).stdout == "k\n" }) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("the killed user never wrote %s", file)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	killedUser("k1")
	if out := e.ok("exec", "d", "cat", "/t/k1"); out != "k\n" {
		t.Errorf("a running user lost the killed one's file: %q", out)
	}
	e.ok("rm", "-f", "d")
	killedUser("k2")
	if out := e.ok("run", "--rm", "-v", "tv:/t", busyboxImage, "ls", "-A", "/t"); out != "" {
		t.Errorf("after a killed sole user, the next sees %q", out)
	}
	if n := mountedHere(); n != 0 {
		t.Errorf("after a killed user and one more run, the volume is mounted %d times", n)
	}
	killedUser("k3")
	e.ok("rm", "s")
	e.ok("volume", "rm", "tv")
	if n := mountedHere(); n != 0 {
		t.Errorf("volume rm after a killed user left %d mounts", n)
	}
}

// TestVolumeTmpfsCopyUp: a tmpfs volume gets the image's content each
// time it is mounted fresh, as docker's does, with owners, modes, xattrs
// and hard links; not while others use it, not with nocopy; a copy that
// does not fit fails the start and leaves nothing mounted.
func TestVolumeTmpfsCopyUp(t *testing.T) {
	e := detachedEnv(t)
	copyUpImage(t, e)
	e.ok("volume", "create", "-o", "type=tmpfs", "-o", "o=size=64m", "tc")
	mp := e.mountpoint("tc")
	mountedHere := func() int { return strings.Count(e.holderMounts(t), " "+mp+" ") }
	const show = "stat -c '%n %u:%g %a' /data /data/private /data/seed; readlink /data/link; cat /data/seed"
	want := "/data 999:999 755\n/data/private 999:999 700\n/data/seed 999:999 644\n/etc/passwd\nseed\n"
	if out := e.ok("run", "--rm", "-v", "tc:/data", "copyup:1", "sh", "-c", show); out != want {
		t.Fatalf("tmpfs volume after copy-up:\n%s\nwant:\n%s", out, want)
	}
	links := e.ok("run", "--rm", "-v", "tc:/data", "copyup:1", "stat", "-c", "%i %h", "/data/hard1", "/data/private/hard2")
	if l := strings.Split(strings.TrimSpace(links), "\n"); len(l) != 2 || l[0] != l[1] || !strings.HasSuffix(l[0], " 2") {
		t.Errorf("hard links in the tmpfs volume (inode, links): %q, want one inode with 2 links", links)
	}

	// While a user runs: the tmpfs is the holder's mount; the xattr is
	// there, and a second user shares what the first changed, with no
	// copy over it.
	e.ok("run", "-d", "--name", "a", "-v", "tc:/data", "copyup:1", "sleep", "100")
	if n := mountedHere(); n != 1 {
		t.Fatalf("tmpfs volume mounted %d times while in use, want once", n)
	}
	seed := fmt.Sprintf("/proc/%d/root%s/seed", e.holderPID(), mp)
	buf := make([]byte, 64)
	if n, err := unix.Getxattr(seed, "user.origin", buf); err != nil || string(buf[:n]) != "image" {
		t.Errorf("xattr user.origin on %s: %q %v, want image", seed, buf[:max(n, 0)], err)
	}
	e.ok("exec", "a", "rm", "/data/seed")
	if out := e.ok("run", "--rm", "-v", "tc:/data", "copyup:1", "ls", "/data"); strings.Contains(out, "seed") {
		t.Errorf("a second user of a tmpfs volume in use sees a new copy: %q", out)
	}
	e.ok("rm", "-f", "a")
	// Fresh again: copied again, also on start of a created container.
	e.ok("create", "--name", "s", "-v", "tc:/data", "copyup:1", "stat", "-c", "%u:%g %s", "/data/seed")
	if out := e.ok("start", "-a", "s"); out != "999:999 5\n" {
		t.Errorf("start of a created container: the tmpfs volume's seed is %q, want 999:999 5", out)
	}
	e.ok("rm", "s")

	if out := e.ok("run", "--rm", "-v", "tc:/data:nocopy", "copyup:1", "ls", "-A", "/data"); out != "" {
		t.Errorf("nocopy tmpfs volume holds %q", out)
	}
	if out := e.ok("run", "--rm", "--mount", "type=volume,src=tc,dst=/data,volume-nocopy", "copyup:1", "ls", "-A", "/data"); out != "" {
		t.Errorf("volume-nocopy tmpfs volume holds %q", out)
	}
	if n := mountedHere(); n != 0 {
		t.Errorf("after its last user, the tmpfs volume is mounted %d times", n)
	}

	// A read-only tmpfs volume gets the content and stays read-only.
	e.ok("volume", "create", "-o", "type=tmpfs", "-o", "o=ro,size=8m", "ro")
	if r := e.burrow("run", "--rm", "-v", "ro:/data", "copyup:1", "sh", "-c", "cat /data/seed; touch /data/x"); r.stdout != "seed\n" || r.code == 0 {
		t.Errorf("read-only tmpfs volume: %s\nwant the seed and a refused write", r)
	}

	// Three inodes (the root and two entries) cannot hold /data.
	e.ok("volume", "create", "-o", "type=tmpfs", "-o", "o=nr_inodes=3", "small")
	smp := e.mountpoint("small")
	r := e.burrow("run", "--rm", "-v", "small:/data", "copyup:1", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "copy-up") {
		t.Errorf("copy-up into a tmpfs too small: %s, want 125 naming the copy-up", r)
	}
	if n := strings.Count(e.holderMounts(t), " "+smp+" "); n != 0 {
		t.Errorf("a failed copy-up left the tmpfs volume mounted %d times", n)
	}
	if left := e.ok("ps", "-aq"); left != "" {
		t.Errorf("a failed copy-up left containers: %q", left)
	}
	e.ok("volume", "rm", "tc", "small", "ro")
}

// TestVolumeTmpfsKillDuringCopyUp: a run killed while it fills a fresh
// tmpfs volume leaves a mount whose owner is dead; the next user mounts
// afresh and sees the whole copy, and nothing stays mounted after it.
func TestVolumeTmpfsKillDuringCopyUp(t *testing.T) {
	e := detachedEnv(t)
	const files = 4000
	manyFilesImage(t, e, files)
	left := map[int]int{} // files in the volume's directory right after the kill
	for i := 0; i < 6; i++ {
		name := fmt.Sprintf("t%d", i)
		e.ok("volume", "create", "-o", "type=tmpfs", "-o", "o=size=64m", name)
		mp := e.mountpoint(name)
		cmd := exec.Command(burrowBin, "run", "--rm", "-v", name+":/data", "many:1", "true")
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(50+i*150) * time.Millisecond)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		entries, _ := os.ReadDir(fmt.Sprintf("/proc/%d/root%s", e.holderPID(), mp))
		left[len(entries)]++
	}
	t.Logf("tmpfs volumes by file count right after the kills: %v", left)
	for i := 0; i < 6; i++ {
		name := fmt.Sprintf("t%d", i)
		mp := e.mountpoint(name)
		e.ok("run", "-d", "--name", "w"+name, "-v", name+":/data", "many:1", "sleep", "100")
		if out := e.ok("exec", "w"+name, "sh", "-c", "ls /data | wc -l"); strings.TrimSpace(out) != strconv.Itoa(files) {
			t.Errorf("after a killed copy-up, the next user of %s sees %s files", name, strings.TrimSpace(out))
		}
		if n := strings.Count(e.holderMounts(t), " "+mp+" "); n != 1 {
			t.Errorf("tmpfs volume %s mounted %d times while one container uses it", name, n)
		}
		e.ok("rm", "-f", "w"+name)
		if n := strings.Count(e.holderMounts(t), " "+mp+" "); n != 0 {
			t.Errorf("tmpfs volume %s mounted %d times after its last user", name, n)
		}
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("containers left: %q", out)
	}
}
