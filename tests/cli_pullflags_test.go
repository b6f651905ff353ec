package tests

import (
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

// TestPullFlagsCredsRetry: --creds authenticates push, pull and run's
// pull without the credentials file; --retry waits out a registry that is
// not up yet, and does not repeat a refused login.
func TestPullFlagsCredsRetry(t *testing.T) {
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Skipf("htpasswd (apache2-utils) is not installed: %v", err)
	}
	dir := t.TempDir()
	if out, err := exec.Command(htpasswd, "-Bbc", filepath.Join(dir, "htpasswd"), "alice", "s3cret").CombinedOutput(); err != nil {
		t.Fatalf("htpasswd: %v\n%s", err, out)
	}
	auth := fmt.Sprintf("auth:\n  htpasswd:\n    realm: burrow\n    path: %s\n", filepath.Join(dir, "htpasswd"))
	reg := startRegistry(t, auth)
	e := detachedEnv(t)
	ref := reg.addr + "/private/busybox:1"
	if r := e.burrow("push", "-q", "--tls-verify=false", busyboxImage, ref); r.code != 125 {
		t.Errorf("push without credentials: %s; want 125", r)
	}
	e.ok("push", "-q", "--tls-verify=false", "--creds", "alice:s3cret", busyboxImage, ref)
	if r := e.burrow("pull", "-q", "--tls-verify=false", ref); r.code != 125 {
		t.Errorf("pull without credentials: %s; want 125", r)
	}
	if r := e.burrow("pull", "-q", "--tls-verify=false", "--creds", "alice:wrong", ref); r.code != 125 {
		t.Errorf("pull --creds alice:wrong: %s; want 125", r)
	}
	if out := e.ok("run", "--rm", "-q", "--network", "none", "--tls-verify=false", "--creds", "alice:s3cret", ref, "echo", "private"); out != "private\n" {
		t.Errorf("run --creds: %q", out)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "run", "containers", "auth.json")); err == nil {
		t.Errorf("--creds stored the credentials")
	}

	// A refused login is an answer, not a failure to retry.
	start := time.Now()
	if r := e.burrow("pull", "-q", "--tls-verify=false", "--retry", "3", "--creds", "alice:wrong", ref); r.code != 125 {
		t.Errorf("pull --retry 3 with a wrong password: %s", r)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("pull --retry 3 with a wrong password took %v: it retried", d)
	}

	// The same storage served later on another port: without --retry the
	// pull fails at once, with it the pull waits for the registry.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	late := l.Addr().String()
	l.Close()
	lateRef := late + "/private/busybox:1"
	if r := e.burrow("pull", "-q", "--tls-verify=false", "--creds", "alice:s3cret", lateRef); r.code != 125 {
		t.Errorf("pull from a registry that is not up, no --retry: %s; want 125", r)
	}
	pull := exec.Command(burrowBin, "pull", "-q", "--tls-verify=false", "--creds", "alice:s3cret", "--retry", "5", "--retry-delay", "1s", lateRef)
	pull.Env = e.vars
	var out strings.Builder
	pull.Stdout, pull.Stderr = &out, &out
	if err := pull.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	cfg := filepath.Join(dir, "late.yml")
	config := fmt.Sprintf("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n%s", reg.dir, late, auth)
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	bin, _ := exec.LookPath("docker-registry")
	serve := exec.Command(bin, "serve", cfg)
	serve.Stdout, serve.Stderr = io.Discard, io.Discard
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = serve.Process.Kill(); _ = serve.Wait() })
	if err := pull.Wait(); err != nil {
		t.Errorf("pull --retry 5 --retry-delay 1s of a registry that came up after 1.5s: %v\n%s", err, out.String())
	}
}
