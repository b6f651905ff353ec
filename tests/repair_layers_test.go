package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKilledLoadRepaired: a load SIGKILLed while it extracts its second
// layer takes its extractor along, and the next command deletes the first
// layer, complete but used by nothing; no temporary files stay behind.
func TestKilledLoadRepaired(t *testing.T) {
	e := newEnv(t)
	archive := bigImageArchive(t, e, 64<<20)
	varBefore := ownEntries(t, "/var/tmp", "container_images_")
	e.ok("images") // the holder exists before the timed part
	cmd := exec.Command(burrowBin, "load", "-q", "-i", archive)
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The busybox layer is recorded whole, and an extractor still runs:
	// the big layer's (the busybox one's ended before its record).
	var untar int
	if !waitFor(60*time.Second, func() bool {
		complete := 0
		for _, l := range e.storedLayers(t) {
			if l.Flags["incomplete"] != true {
				complete++
			}
		}
		untar = ownProcess("storage-untar")
		return complete == 1 && untar != 0 && chrooted(untar)
	}) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatal("the load never got to its second layer")
	}
	// Stopped, the extractor cannot notice its input closing: only the
	// parent-death signal ends it.
	_ = syscall.Kill(untar, syscall.SIGSTOP)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if !waitFor(5*time.Second, func() bool { return syscall.Kill(untar, 0) != nil }) {
		_ = syscall.Kill(untar, syscall.SIGKILL)
		t.Errorf("storage-untar %d outlived its SIGKILLed burrow", untar)
	}
	e.ok("images")
	if left := e.unusedLayers(t); len(left) > 0 {
		t.Errorf("layers used by no image or container after the repair: %v", left)
	}
	if n := newEntries(t, "/var/tmp", "container_images_", varBefore); len(n) > 0 {
		t.Errorf("left in /var/tmp: %v", n)
	}
	e.noBurrowTemp(t)
	e.ok("load", "-q", "-i", archive)
	e.ok("run", "--rm", "bigimage", "test", "-s", "/big.bin")
}

// TestKilledCommitRepaired: commits SIGKILLed at varied moments leave
// nothing once the next command ran: no layer outside an image, no spool
// file in /tmp or burrow's own temporary directory.
func TestKilledCommitRepaired(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	tmpBefore := ownEntries(t, "/tmp", "burrow-commit-")
	e.ok("run", "--name", "src", busyboxImage, "sh", "-c", "head -c 67108864 /dev/urandom > /big")
	spooling := func() bool {
		ours, _ := filepath.Glob(filepath.Join(e.dir, "data", "burrow", "tmp", "*", "burrow-commit-*"))
		return len(ours) > 0 || len(newEntries(t, "/tmp", "burrow-commit-", tmpBefore)) > 0
	}
	for i, delay := range []time.Duration{-1, 0, 100 * time.Millisecond, 300 * time.Millisecond, 600 * time.Millisecond, time.Second} {
		cmd := exec.Command(burrowBin, "commit", "src", "committed:"+strconv.Itoa(i))
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if delay < 0 {
			if !waitFor(30*time.Second, spooling) {
				t.Error("the commit never spooled its diff")
			}
		} else {
			time.Sleep(delay)
		}
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
	}
	e.ok("images")
	if left := e.unusedLayers(t); len(left) > 0 {
		t.Errorf("layers used by no image or container after the repair: %v", left)
	}
	if n := newEntries(t, "/tmp", "burrow-commit-", tmpBefore); len(n) > 0 {
		t.Errorf("left in /tmp: %v", n)
	}
	e.noBurrowTemp(t)
	e.ok("commit", "src", "committed:last")
	e.ok("run", "--rm", "committed:last", "test", "-s", "/big")
}

// storageJSON reads one of the store's records straight from disk (the
// files belong to the user; the layers' contents do not).
func (e *env) storageJSON(t *testing.T, kind, file string, v any) {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(e.dir, "data", "burrow", "storage", "*-"+kind, file))
	if len(matches) == 0 {
		return // nothing of the kind stored yet
	}
	if len(matches) != 1 {
		t.Fatalf("store records %s/%s: found %v", kind, file, matches)
	}
	data, err := os.ReadFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", matches[0], err)
	}
}

type layerRecord struct {
	ID     string         `json:"id"`
	Parent string         `json:"parent"`
	Flags  map[string]any `json:"flags"`
}

func (e *env) storedLayers(t *testing.T) []layerRecord {
	t.Helper()
	var layers []layerRecord
	e.storageJSON(t, "layers", "layers.json", &layers)
	return layers
}

// unusedLayers lists the stored layers that no image or container stands on.
func (e *env) unusedLayers(t *testing.T) []string {
	t.Helper()
	layers := e.storedLayers(t)
	parent := map[string]string{}
	for _, l := range layers {
		parent[l.ID] = l.Parent
	}
	var tops []struct {
		Layer  string   `json:"layer"`
		Mapped []string `json:"mapped-layers"`
	}
	e.storageJSON(t, "images", "images.json", &tops)
	var ctrs []struct {
		Layer string `json:"layer"`
	}
	e.storageJSON(t, "containers", "containers.json", &ctrs)
	used := map[string]bool{}
	mark := func(id string) {
		for ; id != "" && !used[id]; id = parent[id] {
			used[id] = true
		}
	}
	for _, img := range tops {
		mark(img.Layer)
		for _, m := range img.Mapped {
			mark(m)
		}
	}
	for _, c := range ctrs {
		mark(c.Layer)
	}
	var unused []string
	for _, l := range layers {
		if !used[l.ID] {
			unused = append(unused, l.ID[:12])
		}
	}
	return unused
}

// noBurrowTemp fails when burrow's temporary directory holds anything
// once no burrow command runs.
func (e *env) noBurrowTemp(t *testing.T) {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(e.dir, "data", "burrow", "tmp"))
	for _, en := range entries {
		t.Errorf("left in burrow's temporary directory: %s", en.Name())
	}
}

// ownEntries lists the names in dir with prefix that belong to this user.
func ownEntries(t *testing.T, dir, prefix string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if !strings.HasPrefix(en.Name(), prefix) {
			continue
		}
		if fi, err := en.Info(); err == nil && int(fi.Sys().(*syscall.Stat_t).Uid) == os.Getuid() {
			out[en.Name()] = true
		}
	}
	return out
}

func newEntries(t *testing.T, dir, prefix string, before map[string]bool) []string {
	t.Helper()
	var added []string
	for name := range ownEntries(t, dir, prefix) {
		if !before[name] {
			added = append(added, name)
		}
	}
	return added
}

// chrooted reports whether pid has left the host's root: an extractor
// does so once it is set up (past its start-up, where burrow asks for
// the parent-death signal), and is then writing the layer.
func chrooted(pid int) bool {
	root, err := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
	return err == nil && root != "/"
}

// ownProcess is the pid of a process of this user whose command line
// starts with name, or 0.
func ownProcess(name string) int {
	for _, pid := range processesWith(name + " ") {
		var st syscall.Stat_t
		if syscall.Stat("/proc/"+strconv.Itoa(pid), &st) == nil && int(st.Uid) == os.Getuid() {
			return pid
		}
	}
	return 0
}
