package tests

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// manifestDigest asks the registry for the digest and size of repo:tag's
// manifest, as a client that takes either format (with basic auth when
// given a user and password).
func manifestDigest(t *testing.T, reg registry, repo, tag string, userPass ...string) (string, int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodHead, "http://"+reg.addr+"/v2/"+repo+"/manifests/"+tag, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(userPass) == 2 {
		req.SetBasicAuth(userPass[0], userPass[1])
	}
	req.Header.Add("Accept", "application/vnd.oci.image.manifest.v1+json")
	req.Header.Add("Accept", "application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	size, err := strconv.Atoi(resp.Header.Get("Content-Length"))
	digest := resp.Header.Get("Docker-Content-Digest")
	if resp.StatusCode != http.StatusOK || err != nil || !strings.HasPrefix(digest, "sha256:") {
		t.Fatalf("registry HEAD of %s:%s: %s, length %q, digest %q", repo, tag, resp.Status, resp.Header.Get("Content-Length"), digest)
	}
	return digest, size
}

// TestPushDigest: push's progress ends, as docker's does, with the tag, the
// manifest's digest and its size; --digestfile holds the digest (also
// with -q, which prints nothing); the digest pulls the image.
func TestPushDigest(t *testing.T) {
	reg := startRegistry(t, "")
	e := detachedEnv(t)
	ref := reg.addr + "/burrow/digest:1.0"
	file := filepath.Join(e.dir, "digest")
	r := e.burrow("push", "--tls-verify=false", "--digestfile", file, busyboxImage, ref)
	if r.code != 0 {
		t.Fatalf("push: %s", r)
	}
	digest, size := manifestDigest(t, reg, "burrow/digest", "1.0")
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	want := "1.0: digest: " + digest + " size: " + strconv.Itoa(size)
	if n := len(lines); n < 2 || lines[n-2] != "Writing manifest to image destination" || lines[n-1] != want {
		t.Errorf("push progress:\n%s\nwant it to end with\nWriting manifest to image destination\n%s", r.stderr, want)
	}
	if r.stdout != "" {
		t.Errorf("push printed on stdout: %q", r.stdout)
	}
	if got, err := os.ReadFile(file); err != nil || string(got) != digest {
		t.Errorf("--digestfile: %q %v, want %s", got, err, digest)
	}

	// -q: nothing printed, the file still written (a new tag, same manifest).
	quiet := filepath.Join(e.dir, "quiet")
	r = e.burrow("push", "-q", "--tls-verify=false", "--digestfile", quiet, busyboxImage, reg.addr+"/burrow/digest:2")
	if r.code != 0 || r.stdout != "" || r.stderr != "" {
		t.Errorf("push -q: %s; want nothing printed", r)
	}
	if got, err := os.ReadFile(quiet); err != nil || string(got) != digest {
		t.Errorf("--digestfile with -q: %q %v, want %s", got, err, digest)
	}

	fresh := newEnv(t)
	if out := fresh.ok("run", "--rm", "-q", "--tls-verify=false", reg.addr+"/burrow/digest@"+digest, "echo", "by-digest"); out != "by-digest\n" {
		t.Errorf("run of the pushed digest: %q", out)
	}
	// A digest file that cannot be written is an error (after the push).
	if r := e.burrow("push", "-q", "--tls-verify=false", "--digestfile", filepath.Join(e.dir, "no", "such"), busyboxImage, ref); r.code != 125 || !strings.Contains(r.stderr, "digest file") {
		t.Errorf("push with an unwritable --digestfile: %s; want exit 125 naming the digest file", r)
	}
}
