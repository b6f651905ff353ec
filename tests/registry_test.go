package tests

import (
	"archive/tar"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// registry is Debian's docker-registry serving on 127.0.0.1 for one test.
type registry struct {
	addr string
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
	up := waitFor(20*time.Second, func() bool {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200 || resp.StatusCode == 401
	})
	if !up {
		t.Fatalf("docker-registry did not come up on %s", addr)
	}
	return registry{addr: addr}
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
	if r := other.burrow("run", "--rm", "--pull=never", reg.addr+"/burrow/nothere:1", "true"); r.code != 125 {
		t.Errorf("--pull=never of a missing image: %s", r)
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
