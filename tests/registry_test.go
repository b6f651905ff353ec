package tests

import (
	"archive/tar"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// registry is Debian's docker-registry serving on 127.0.0.1 for one test;
// extraConfig adds to its config (indented under http: for tls, or auth:).
type registry struct {
	addr string
	dir  string // its storage, for tests that damage blobs
}

func startRegistry(t *testing.T, extraConfig string) registry {
	t.Helper()
	bin, err := exec.LookPath("docker-registry")
	if err != nil {
		t.Skipf("docker-registry is not installed (tests/setup installs it): %v", err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	dir := t.TempDir()
	config := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n%s", dir, addr, extraConfig)
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	// A TCP connect serves both plain and TLS registries.
	up := waitFor(20*time.Second, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	if !up {
		t.Fatalf("docker-registry did not come up on %s", addr)
	}
	return registry{addr: addr, dir: dir}
}

// TestRegistryPushPull: push to a local registry, pull it back into a fresh
// store, run it; another tool (skopeo) reads what burrow pushed.
func TestRegistryPushPull(t *testing.T) {
	reg := startRegistry(t, "")
	e := detachedEnv(t)
	ref := reg.addr + "/burrow/busybox:1.0"
	e.ok("push", "-q", "--tls-verify=false", busyboxImage, ref)
	if skopeo, err := exec.LookPath("skopeo"); err == nil {
		out, err := exec.Command(skopeo, "inspect", "--tls-verify=false", "docker://"+ref).CombinedOutput()
		if err != nil || !strings.Contains(string(out), `"Digest"`) {
			t.Errorf("skopeo cannot read what burrow pushed: %v\n%s", err, out)
		}
	}
	fresh := newEnv(t)
	id := strings.TrimSpace(fresh.ok("pull", "-q", "--tls-verify=false", ref))
	if len(id) != 64 {
		t.Fatalf("pull printed %q, want an image ID", id)
	}
	if out := fresh.ok("images", "--format", "{{.Repository}}:{{.Tag}}"); out != ref+"\n" {
		t.Errorf("images after pull: %q", out)
	}
	if out := fresh.ok("run", "--rm", ref, "echo", "pulled"); out != "pulled\n" {
		t.Errorf("run of the pulled image: %q", out)
	}
	// run pulls what is missing.
	other := newEnv(t)
	if out := other.ok("run", "--rm", "-q", "--tls-verify=false", ref, "echo", "auto"); out != "auto\n" {
		t.Errorf("run --pull=missing: %q", out)
	}
	// --pull=never of an image the registry has (so any other policy would
	// fetch it) into a store that lacks it: refused, and nothing pulled.
	never := newEnv(t)
	if r := never.burrow("run", "--rm", "--pull=never", "--tls-verify=false", ref, "echo", "pulled-anyway"); r.code != 125 || !strings.Contains(r.stderr, ref) {
		t.Errorf("--pull=never of a pushed image the store lacks: %s; want exit 125 naming it", r)
	}
	if out := never.ok("images", "-q"); out != "" {
		t.Errorf("--pull=never pulled: images %q", out)
	}
}

func TestRegistryErrors(t *testing.T) {
	reg := startRegistry(t, "")
	e := newEnv(t)
	r := e.burrow("pull", "-q", "--tls-verify=false", reg.addr+"/nosuch/image:v1")
	if r.code != 125 || !strings.Contains(r.stderr, reg.addr+"/nosuch/image:v1") {
		t.Errorf("pull of an unknown image: %s; want exit 125 naming the reference", r)
	}
	// A closed port: fails at once, naming the address.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := l.Addr().String()
	l.Close()
	start := time.Now()
	r = e.burrow("pull", "-q", "--tls-verify=false", dead+"/x:1")
	if r.code != 125 || !strings.Contains(r.stderr, dead) {
		t.Errorf("pull from a registry that is down: %s", r)
	}
	if took := time.Since(start); took > 30*time.Second {
		t.Errorf("pull from a dead registry took %v", took)
	}
	if out := e.ok("images", "-q"); out != "" {
		t.Errorf("failed pulls left images: %q", out)
	}
}

// TestSaveLoadExportHistory round-trips an image through an archive and a
// container through export.
func TestSaveLoadExportHistory(t *testing.T) {
	e := detachedEnv(t)
	dir := t.TempDir()
	for _, format := range []string{"docker-archive", "oci-archive"} {
		archive := filepath.Join(dir, format+".tar")
		e.ok("save", "-q", "--format", format, "-o", archive, busyboxImage)
		fresh := newEnv(t)
		fresh.ok("load", "-q", "-i", archive)
		if out := fresh.ok("run", "--rm", busyboxImage, "echo", "saved"); out != "saved\n" {
			t.Errorf("%s round trip: %q", format, out)
		}
	}
	e.ok("run", "--name", "exp", busyboxImage, "sh", "-c", "echo mark > /exported")
	out := filepath.Join(dir, "fs.tar")
	e.ok("export", "-o", out, "exp")
	names := tarNames(t, out)
	if !names["exported"] || !names["bin/busybox"] {
		t.Errorf("export lacks files: %d entries", len(names))
	}
	if out := e.ok("history", busyboxImage); !strings.Contains(out, "CREATED BY") {
		t.Errorf("history: %q", out)
	}
}

func tarNames(t *testing.T, path string) map[string]bool {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names[strings.TrimPrefix(h.Name, "./")] = true
	}
}

// TestRegistryAuthAndTLS: a registry behind basic auth and a self-signed CA.
func TestRegistryAuthAndTLS(t *testing.T) {
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Skipf("htpasswd (apache2-utils) is not installed: %v", err)
	}
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skipf("openssl is not installed: %v", err)
	}
	dir := t.TempDir()
	run := func(name string, args ...string) {
		if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
			t.Fatalf("%s %v: %v\n%s", name, args, err, out)
		}
	}
	run(htpasswd, "-Bbc", filepath.Join(dir, "htpasswd"), "alice", "s3cret")
	certs := filepath.Join(dir, "certs")
	if err := os.Mkdir(certs, 0o755); err != nil {
		t.Fatal(err)
	}
	run(openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=burrow-test-ca",
		"-keyout", filepath.Join(dir, "ca.key"), "-out", filepath.Join(certs, "ca.crt"))
	run(openssl, "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
		"-keyout", filepath.Join(dir, "server.key"), "-out", filepath.Join(dir, "server.csr"))
	ext := filepath.Join(dir, "ext.cnf")
	if err := os.WriteFile(ext, []byte("subjectAltName=IP:127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run(openssl, "x509", "-req", "-in", filepath.Join(dir, "server.csr"), "-CA", filepath.Join(certs, "ca.crt"),
		"-CAkey", filepath.Join(dir, "ca.key"), "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", filepath.Join(dir, "server.crt"))
	reg := startRegistry(t, fmt.Sprintf("  tls:\n    certificate: %s\n    key: %s\nauth:\n  htpasswd:\n    realm: burrow\n    path: %s\n",
		filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key"), filepath.Join(dir, "htpasswd")))
	e := detachedEnv(t)
	ref := reg.addr + "/private/busybox:1"
	if r := e.burrow("push", "-q", "--cert-dir", certs, busyboxImage, ref); r.code != 125 {
		t.Errorf("push without credentials: %s; want exit 125", r)
	}
	if r := e.burrow("login", "--cert-dir", certs, "-u", "alice", "-p", "wrong", reg.addr); r.code != 125 {
		t.Errorf("login with a wrong password: %s", r)
	}
	if r := e.burrow("login", "-u", "alice", "-p", "s3cret", reg.addr); r.code != 125 || !strings.Contains(r.stderr, "certificate") {
		t.Errorf("login without the CA: %s; want a certificate error", r)
	}
	e.ok("login", "--cert-dir", certs, "-u", "alice", "-p", "s3cret", reg.addr)
	e.ok("push", "-q", "--cert-dir", certs, busyboxImage, ref)
	e.ok("rmi", busyboxImage)
	e.ok("pull", "-q", "--cert-dir", certs, ref)
	if out := e.ok("run", "--rm", ref, "echo", "private"); out != "private\n" {
		t.Errorf("run after an authenticated pull: %q", out)
	}
	e.ok("logout", reg.addr)
	if r := e.burrow("pull", "-q", "--cert-dir", certs, ref); r.code != 125 {
		t.Errorf("pull after logout: %s; want exit 125", r)
	}
}

func TestImagesDanglingFilter(t *testing.T) {
	e := detachedEnv(t)
	tarPath := filepath.Join(e.dir, "unnamed.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	e.ok("import", "-q", "--change", "ENV X=1", tarPath)
	if out := e.ok("images", "--filter", "dangling=true", "--format", "{{.Repository}}"); out != "<none>\n" {
		t.Errorf("dangling=true: %q", out)
	}
	if out := e.ok("images", "--filter", "reference=busy*", "--format", "{{.Repository}}"); out != "localhost/busybox\n" {
		t.Errorf("reference=busy*: %q", out)
	}
	e.ok("image", "prune")
	if out := e.ok("images", "-q", "--filter", "dangling=true"); out != "" {
		t.Errorf("image prune left dangling images: %q", out)
	}
	if out := e.ok("images", "--format", "{{.Repository}}"); out != "localhost/busybox\n" {
		t.Errorf("image prune removed a named image: %q", out)
	}
}

// TestCommit: a container's changes become an image that runs, and that
// another store can pull from a registry.
func TestCommit(t *testing.T) {
	reg := startRegistry(t, "")
	e := detachedEnv(t)
	e.ok("run", "--name", "work", busyboxImage, "sh", "-c", "echo committed > /new-file; rm /bin/wc")
	e.ok("commit", "-c", `CMD ["cat", "/new-file"]`, "-m", "add a file", "work", "mine:v1")
	if out := e.ok("run", "--rm", "mine:v1"); out != "committed\n" {
		t.Fatalf("run of the committed image: %q", out)
	}
	if r := e.burrow("run", "--rm", "mine:v1", "test", "-e", "/bin/wc"); r.code == 0 {
		t.Errorf("a file deleted in the container is back in the image")
	}
	if out := e.ok("history", "mine:v1"); !strings.Contains(out, "add a file") {
		t.Errorf("history lacks the commit: %s", out)
	}
	ref := reg.addr + "/mine:v1"
	e.ok("push", "-q", "--tls-verify=false", "mine:v1", ref)
	fresh := newEnv(t)
	fresh.ok("pull", "-q", "--tls-verify=false", ref)
	if out := fresh.ok("run", "--rm", ref); out != "committed\n" {
		t.Errorf("pulled commit: %q", out)
	}
	if r := e.burrow("commit", "-c", "BOGUS x", "work", "bad"); r.code != 125 {
		t.Errorf("commit with a bad change: %s", r)
	}
}

// TestPullCorruptBlobAndKill: a blob whose content does not match its
// digest is refused, and a pull killed half way leaves no image; the next
// pull completes.
func TestPullCorruptBlobAndKill(t *testing.T) {
	reg := startRegistry(t, "")
	e := detachedEnv(t)
	const size = 48 << 20
	e.ok("load", "-q", "-i", bigImageArchive(t, e, size))
	ref := reg.addr + "/big:1"
	e.ok("push", "-q", "--tls-verify=false", "bigimage", ref)

	fresh := newEnv(t)
	fresh.ok("images") // the holder, outside the timed window
	landed := 0
	for try := 0; try < 2; try++ {
		cmd := exec.Command(burrowBin, "pull", "-q", "--tls-verify=false", ref)
		cmd.Env = fresh.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if killMidExtraction(cmd, filepath.Join(fresh.dir, "data"), size) {
			landed++
		}
		if out := fresh.ok("images", "--format", "{{.Repository}}"); out != "" && out != reg.addr+"/big\n" {
			t.Fatalf("after a killed pull images lists %q", out)
		}
	}
	if landed == 0 {
		t.Fatal("no kill landed while /big.bin was being written: the interrupted pull went untested")
	}
	fresh.ok("pull", "-q", "--tls-verify=false", ref)
	if out := fresh.ok("run", "--rm", ref, "wc", "-c", "/big.bin"); !strings.HasPrefix(strings.TrimSpace(out), fmt.Sprint(size)) {
		t.Fatalf("pull after interrupted ones is not whole: %q", out)
	}

	// Damage every stored blob's data: the digests no longer match.
	damaged := 0
	_ = filepath.Walk(reg.dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Name() == "data" && strings.Contains(p, "/blobs/") && fi.Size() > 1<<20 {
			f, ferr := os.OpenFile(p, os.O_WRONLY, 0)
			if ferr == nil {
				_, _ = f.WriteAt([]byte("corrupt!"), 4096)
				f.Close()
				damaged++
			}
		}
		return nil
	})
	if damaged == 0 {
		t.Fatal("found no blob to damage in the registry's storage")
	}
	other := newEnv(t)
	r := other.burrow("pull", "-q", "--tls-verify=false", ref)
	if r.code != 125 || !strings.Contains(strings.ToLower(r.stderr), "digest") {
		t.Errorf("pull of a corrupt blob: %s; want exit 125 about the digest", r)
	}
	if out := other.ok("images", "-q"); out != "" {
		t.Errorf("a corrupt pull left an image: %q", out)
	}
}

// TestShortNamesFromRegistriesConf: a short name is resolved through the
// user's registries.conf (the file podman users already have), and a
// registry marked insecure there needs no --tls-verify=false.
func TestShortNamesFromRegistriesConf(t *testing.T) {
	reg := startRegistry(t, "")
	e := detachedEnv(t)
	e.ok("push", "-q", "--tls-verify=false", busyboxImage, reg.addr+"/team/tool:2")
	fresh := newEnv(t)
	conf := filepath.Join(fresh.dir, "home", ".config", "containers", "registries.conf")
	if err := os.MkdirAll(filepath.Dir(conf), 0o755); err != nil {
		t.Fatal(err)
	}
	content := fmt.Sprintf("unqualified-search-registries = [%q]\n\n[[registry]]\nlocation = %q\ninsecure = true\n", reg.addr, reg.addr)
	if err := os.WriteFile(conf, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh.ok("pull", "-q", "team/tool:2")
	if out := fresh.ok("run", "--rm", "team/tool:2", "echo", "short"); out != "short\n" {
		t.Errorf("run by short name: %q", out)
	}
	r := fresh.burrow("pull", "-q", "team/missing:1")
	if r.code != 125 || !strings.Contains(r.stderr, reg.addr+"/team/missing:1") {
		t.Errorf("unknown short name: %s; want exit 125 naming the registries tried", r)
	}
}
