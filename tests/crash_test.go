package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillDuringRun: SIGKILL of a foreground burrow ends its container;
// the next command removes the --rm container and its mount.
func TestKillDuringRun(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("%d", 40000+os.Getpid()%20000)
	cmd := exec.Command(burrowBin, "run", "--rm", "--name", "victim", busyboxImage, "sleep", marker)
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stateDir := filepath.Join(e.dir, "run", "burrow", "containers")
	if !waitFor(20*time.Second, func() bool { return len(processesWith("sleep "+marker)) > 0 }) {
		_ = cmd.Process.Kill()
		t.Fatal("the container's sleep never started")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if !waitFor(10*time.Second, func() bool { return len(processesWith("sleep "+marker)) == 0 }) {
		t.Fatalf("container processes outlived burrow: %v", processesWith("sleep "+marker))
	}
	if entries := listDir(t, stateDir); len(entries) != 1 {
		t.Fatalf("want the killed run's state file to be left for repair, found %d", len(entries))
	}
	// Any next command repairs: the --rm container and its mount go away.
	e.ok("images")
	if entries := listDir(t, stateDir); len(entries) != 0 {
		t.Errorf("state files after repair: %v", entries)
	}
	if strings.Contains(e.holderMounts(t), "merged") {
		t.Errorf("container mount left in the holder:\n%s", e.holderMounts(t))
	}
	e.ok("run", "--rm", "--name", "victim", busyboxImage, "true")
}

// TestKillDuringLoad: a load killed at several points never leaves a
// half image, and the next load finishes cleanly.
func TestKillDuringLoad(t *testing.T) {
	e := newEnv(t)
	const size = 64 << 20
	archive := bigImageArchive(t, e, size)
	e.ok("images") // start the holder outside the timed window
	for _, delay := range []time.Duration{50 * time.Millisecond, 300 * time.Millisecond, 800 * time.Millisecond} {
		cmd := exec.Command(burrowBin, "load", "-q", "-i", archive)
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		out := e.ok("images", "--format", "{{.Repository}}:{{.Tag}}")
		if strings.Contains(out, "bigimage") {
			// Finished before the kill: it must then be whole.
			e.ok("run", "--rm", "bigimage", "test", "-s", "/big.bin")
			e.ok("rmi", "bigimage")
		}
	}
	e.ok("load", "-q", "-i", archive)
	if out := e.ok("run", "--rm", "bigimage", "wc", "-c", "/big.bin"); !strings.HasPrefix(strings.TrimSpace(out), fmt.Sprint(size)) {
		t.Fatalf("after an interrupted load the image is not whole: %q", out)
	}
}

// bigImageArchive writes a docker-archive "bigimage:latest": busybox plus
// a layer with /big.bin of size bytes, slow enough to interrupt.
func bigImageArchive(t *testing.T, e *env, size int) string {
	t.Helper()
	big := make([]byte, size)
	for i := range big {
		big[i] = byte(i*7 + i>>9)
	}
	layer, err := tarBytes([]tarEntry{{name: "big.bin", mode: 0o644, body: big}})
	if err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(e.dir, "big.tar")
	if err := writeDockerArchive(archive, []string{"bigimage:latest"}, busyboxLayer(t), layer); err != nil {
		t.Fatal(err)
	}
	return archive
}
