package tests

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIPushAuth: docker login checks credentials through /auth, docker
// push sends them as X-Registry-Auth and gets the JSON progress stream,
// docker pull brings the image back with them; without them the registry
// refuses and the client says so.
func TestAPIPushAuth(t *testing.T) {
	requireClient(t, "docker", "--version")
	htpasswd, err := exec.LookPath("htpasswd")
	if err != nil {
		t.Skipf("htpasswd (apache2-utils) is not installed: %v", err)
	}
	dir := t.TempDir()
	if out, err := exec.Command(htpasswd, "-Bbc", filepath.Join(dir, "htpasswd"), "alice", "s3cret").CombinedOutput(); err != nil {
		t.Fatalf("htpasswd: %v\n%s", err, out)
	}
	reg := startRegistry(t, fmt.Sprintf("auth:\n  htpasswd:\n    realm: burrow\n    path: %s\n", filepath.Join(dir, "htpasswd")))
	a := startService(t)
	ref := reg.addr + "/api/busybox:1"
	a.docker("tag", busyboxImage, ref)
	if r := a.docker("push", ref); r.code == 0 {
		t.Errorf("push without credentials: %s", r)
	}
	if r := a.docker("login", "-u", "alice", "-p", "wrong", reg.addr); r.code == 0 {
		t.Errorf("login with a wrong password: %s", r)
	}
	if r := a.docker("login", "-u", "alice", "-p", "s3cret", reg.addr); r.code != 0 || !strings.Contains(r.stdout, "Login Succeeded") {
		t.Fatalf("docker login: %s", r)
	}
	r := a.docker("push", ref)
	if r.code != 0 || !strings.Contains(r.stdout, "The push refers to repository ["+reg.addr+"/api/busybox]") {
		t.Fatalf("docker push: %s", r)
	}
	if digest, size := manifestDigest(t, reg, "api/busybox", "1", "alice", "s3cret"); !strings.Contains(r.stdout, fmt.Sprintf("1: digest: %s size: %d\n", digest, size)) {
		t.Errorf("docker push does not end with the manifest's digest %s and size %d: %s", digest, size, r)
	}
	a.docker("rmi", ref)
	if r := a.docker("pull", ref); r.code != 0 {
		t.Errorf("docker pull with the login's credentials: %s", r)
	}
	if r := a.docker("run", "--rm", ref, "echo", "pushed-and-pulled"); r.stdout != "pushed-and-pulled\n" {
		t.Errorf("running the pulled image: %s", r)
	}
	a.docker("logout", reg.addr)
	a.docker("rmi", ref)
	if r := a.docker("pull", ref); r.code == 0 {
		t.Errorf("pull after logout: %s", r)
	}
}
