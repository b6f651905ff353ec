package tests

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// rawBlock is one 512-byte tar header, written by hand: Go's tar.Writer
// neither writes sparse files nor lets GNU.sparse.* PAX records through.
func rawBlock(name string, typ byte, size int64) []byte {
	b := make([]byte, 512)
	copy(b[0:100], name)
	copy(b[100:108], "0000644\x00")
	copy(b[108:116], "0000000\x00")
	copy(b[116:124], "0000000\x00")
	copy(b[124:136], fmt.Sprintf("%011o\x00", size))
	copy(b[136:148], fmt.Sprintf("%011o\x00", 1700000000))
	b[156] = typ
	copy(b[257:265], "ustar\x0000")
	copy(b[148:156], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return b
}

func pad512(b []byte) []byte {
	if r := len(b) % 512; r != 0 {
		b = append(b, make([]byte, 512-r)...)
	}
	return b
}

// paxRecord is one "LEN key=value\n" record, LEN counting itself.
func paxRecord(key, value string) string {
	body := " " + key + "=" + value + "\n"
	n := len(body) + 1
	for len(fmt.Sprint(n))+len(body) != n {
		n++
	}
	return fmt.Sprint(n) + body
}

// sparseLayer is a layer tar holding name as a GNU PAX 1.0 sparse file of
// realSize bytes with one 4 KiB data block at its start: a few KiB of
// archive that a naive extractor writes out in full.
func sparseLayer(name string, realSize int64) []byte {
	records := paxRecord("GNU.sparse.major", "1") + paxRecord("GNU.sparse.minor", "0") +
		paxRecord("GNU.sparse.name", name) + paxRecord("GNU.sparse.realsize", fmt.Sprint(realSize))
	data := bytes.Repeat([]byte("d"), 4096)
	sparseMap := pad512([]byte(fmt.Sprintf("1\n0\n%d\n", len(data))))
	var buf bytes.Buffer
	buf.Write(rawBlock("PaxHeaders/"+name, 'x', int64(len(records))))
	buf.Write(pad512([]byte(records)))
	buf.Write(rawBlock("GNUSparseFile.0/"+name, '0', int64(len(sparseMap)+len(data))))
	buf.Write(sparseMap)
	buf.Write(pad512(data))
	buf.Write(make([]byte, 1024))
	return buf.Bytes()
}

// TestSparseArchiveRefused: a layer with a sparse file is refused by load
// and import before anything is written, naming the entry.
func TestSparseArchiveRefused(t *testing.T) {
	e := newEnv(t)
	const realSize = 10 << 30
	layer := sparseLayer("holes.bin", realSize)
	archive := filepath.Join(e.dir, "sparse.tar")
	if err := writeDockerArchive(archive, []string{"sparse:1"}, busyboxLayer(t), layer); err != nil {
		t.Fatal(err)
	}
	rootfs := filepath.Join(e.dir, "sparse-rootfs.tar")
	if err := os.WriteFile(rootfs, layer, 0o644); err != nil {
		t.Fatal(err)
	}
	e.ok("images") // the holder and the store exist before the timed part
	before := storageBlocks(t, e)
	for _, args := range [][]string{{"load", "-q", "-i", archive}, {"import", "-q", rootfs, "sparse:2"}} {
		start := time.Now()
		r := runBounded(t, e, 5*time.Second, args...)
		took := time.Since(start)
		if r.code != 125 || !strings.Contains(r.stderr, "holes.bin") || !strings.Contains(r.stderr, "sparse") {
			t.Errorf("burrow %s: want exit 125 naming the sparse entry holes.bin, got %s", args[0], r)
		}
		if took > 10*time.Second {
			t.Errorf("burrow %s took %v to refuse a %d-byte archive", args[0], took, len(layer))
		}
	}
	if out := e.ok("images", "-q"); out != "" {
		t.Errorf("images after the refusals:\n%s", out)
	}
	// Nothing was written: the store grew by less than the sparse file's
	// one data block per attempt would not show, so compare to 1 MiB.
	if after := storageBlocks(t, e); after-before > 1<<20 {
		t.Errorf("the store grew by %d bytes", after-before)
	}
}

// runBounded runs burrow and kills it (failing the test) when it overruns:
// an extractor filling a 10 GiB file must not fill the disk.
func runBounded(t *testing.T, e *env, limit time.Duration, args ...string) result {
	t.Helper()
	cmd := exec.Command(burrowBin, args...)
	cmd.Env = e.vars
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	timer := time.AfterFunc(limit, func() { _ = cmd.Process.Kill() })
	err := cmd.Wait()
	if !timer.Stop() {
		t.Errorf("burrow %v still running after %v: killed", args, limit)
	}
	r := result{stdout: out.String(), stderr: errb.String()}
	if ee, ok := err.(*exec.ExitError); ok {
		r.code = ee.ExitCode()
	}
	return r
}

// storageBlocks is the disk space used under the env's data directory, as
// the namespace's root sees it (layers belong to subordinate IDs).
func storageBlocks(t *testing.T, e *env) int64 {
	t.Helper()
	out := e.ok("unshare", "/usr/bin/du", "-s", "-B1", filepath.Join(e.dir, "data"))
	var n int64
	if _, err := fmt.Sscan(out, &n); err != nil {
		t.Fatalf("du: %q: %v", out, err)
	}
	return n
}

// TestPullSparseRefused: a registry image with a sparse layer is refused
// while it is fetched, before the extractor writes anything.
func TestPullSparseRefused(t *testing.T) {
	reg := startRegistry(t, "")
	e := newEnv(t)
	ref := reg.addr + "/burrow/sparse:1"
	pushSparseImage(t, reg.addr, "burrow/sparse", "1", sparseLayer("holes.bin", 10<<30))
	e.ok("images")
	before := storageBlocks(t, e)
	r := runBounded(t, e, 10*time.Second, "pull", "-q", "--tls-verify=false", ref)
	if r.code != 125 || !strings.Contains(r.stderr, `"holes.bin"`) || !strings.Contains(r.stderr, "sparse") {
		t.Errorf("pull: want exit 125 naming the sparse entry holes.bin, got %s", r)
	}
	if out := e.ok("images", "-q"); out != "" {
		t.Errorf("images after the refusal:\n%s", out)
	}
	if after := storageBlocks(t, e); after-before > 1<<20 {
		t.Errorf("the store grew by %d bytes", after-before)
	}
}

// pushSparseImage puts a one-layer OCI image into the registry through
// its HTTP API: burrow itself can no longer store such an image to push.
func pushSparseImage(t *testing.T, addr, repo, tag string, layer []byte) {
	t.Helper()
	layerDigest := pushBlob(t, addr, repo, layer)
	cfg, _ := json.Marshal(map[string]any{
		"architecture": runtime.GOARCH, "os": "linux",
		"config": map[string]any{"Cmd": []string{"/bin/sh"}},
		"rootfs": map[string]any{"type": "layers", "diff_ids": []string{layerDigest}},
	})
	cfgDigest := pushBlob(t, addr, repo, cfg)
	manifest, _ := json.Marshal(map[string]any{
		"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
		"config": map[string]any{"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cfgDigest, "size": len(cfg)},
		"layers": []map[string]any{{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layerDigest, "size": len(layer)}},
	})
	req, _ := http.NewRequest(http.MethodPut, fmt.Sprintf("http://%s/v2/%s/manifests/%s", addr, repo, tag), bytes.NewReader(manifest))
	req.Header.Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	registryDo(t, req, http.StatusCreated)
}

// pushBlob uploads data in one monolithic PUT and returns its digest.
func pushBlob(t *testing.T, addr, repo string, data []byte) string {
	t.Helper()
	sum := sha256.Sum256(data)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://%s/v2/%s/blobs/uploads/", addr, repo), nil)
	resp := registryDo(t, req, http.StatusAccepted)
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("upload location: %v", err)
	}
	q := loc.Query()
	q.Set("digest", digest)
	loc.RawQuery = q.Encode()
	req, _ = http.NewRequest(http.MethodPut, loc.String(), bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/octet-stream")
	registryDo(t, req, http.StatusCreated)
	return digest
}

func registryDo(t *testing.T, req *http.Request, want int) *http.Response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s: %s", req.Method, req.URL, resp.Status, body)
	}
	return resp
}
