package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStorageDriverProbe: the first command probes the driver in order
// (kernel overlay in the user namespace, fuse-overlayfs, vfs), records it,
// and info shows it; later commands use the record; --storage-driver and
// BURROW_STORAGE_DRIVER override it without recording.
func TestStorageDriverProbe(t *testing.T) {
	e := newEnv(t)
	record := filepath.Join(e.dir, "data", "burrow", "driver.json")
	shown := strings.TrimSpace(e.ok("info", "--format", "{{.StorageDriver}}"))
	data, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("no driver record after the first command: %v", err)
	}
	var choice struct {
		Driver   string   `json:"driver"`
		Rejected []string `json:"rejected"`
	}
	if err := json.Unmarshal(data, &choice); err != nil {
		t.Fatalf("driver record %s: %v", data, err)
	}
	if !strings.HasPrefix(shown, choice.Driver) {
		t.Errorf("info shows %q, the record says %s", shown, choice.Driver)
	}
	order := []string{"overlay", "fuse-overlayfs", "vfs"}
	pos := -1
	for i, d := range order {
		if d == choice.Driver {
			pos = i
		}
	}
	if pos < 0 || len(choice.Rejected) != pos {
		t.Errorf("driver %s with %d rejected (%v): want one of %v, each better one rejected with its reason", choice.Driver, len(choice.Rejected), choice.Rejected, order)
	}
	// The test looks for itself whether the kernel mounts overlay in a user
	// namespace; if it does, nothing else may be picked.
	dir := t.TempDir()
	for _, d := range []string{"l", "u", "w", "m"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	mount := exec.Command("unshare", "-Urm", "mount", "-t", "overlay", "overlay", "-o",
		"lowerdir="+dir+"/l,upperdir="+dir+"/u,workdir="+dir+"/w", dir+"/m")
	if out, err := mount.CombinedOutput(); err == nil && choice.Driver != "overlay" {
		t.Errorf("the kernel mounts overlay in a user namespace here, yet the probe chose %s (%v)", choice.Driver, choice.Rejected)
	} else if err != nil {
		t.Logf("kernel overlay in a user namespace: %v %s", err, out)
	}
	// A record is used as it is: a fresh home whose record says vfs gets
	// vfs without probing, and the record stays.
	recorded := newEnv(t)
	vfsRecord := []byte(`{"driver":"vfs","rejected":["planted by the test"]}` + "\n")
	if err := os.MkdirAll(filepath.Join(recorded.dir, "data", "burrow"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(recorded.dir, "data", "burrow", "driver.json"), vfsRecord, 0o600); err != nil {
		t.Fatal(err)
	}
	if out := recorded.ok("info", "--format", "{{.StorageDriver}}"); !strings.HasPrefix(out, "vfs; not used: planted by the test") {
		t.Errorf("with a vfs record info shows %q: the record was not used", out)
	}
	if got, _ := os.ReadFile(filepath.Join(recorded.dir, "data", "burrow", "driver.json")); string(got) != string(vfsRecord) {
		t.Errorf("the record was rewritten: %q", got)
	}

	forced := newEnv(t)
	if out := strings.TrimSpace(forced.ok("--storage-driver", "vfs", "info", "--format", "{{.StorageDriver}}")); out != "vfs" {
		t.Errorf("--storage-driver vfs: info shows %q", out)
	}
	forced.vars = append(forced.vars, "BURROW_STORAGE_DRIVER=vfs")
	if err := forced.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	if out := forced.ok("run", "--rm", busyboxImage, "echo", "on-vfs"); out != "on-vfs\n" {
		t.Errorf("run on vfs: %q", out)
	}
	if _, err := os.Stat(filepath.Join(forced.dir, "data", "burrow", "storage", "vfs")); err != nil {
		t.Errorf("BURROW_STORAGE_DRIVER=vfs: no vfs storage: %v", err)
	}
	if _, err := os.Stat(filepath.Join(forced.dir, "data", "burrow", "driver.json")); err == nil {
		t.Error("a forced driver was recorded")
	}
	if r := forced.burrow("--storage-driver", "zfs", "images"); r.code != 125 || !strings.Contains(r.stderr, "zfs") {
		t.Errorf("--storage-driver zfs: %s; want exit 125 naming it", r)
	}
}
