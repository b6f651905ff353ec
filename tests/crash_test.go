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
	// A write the kill interrupted may leave its temporary file as well.
	var states []string
	for _, en := range listDir(t, stateDir) {
		if !strings.HasPrefix(en.Name(), ".") {
			states = append(states, en.Name())
		}
	}
	if len(states) != 1 {
		t.Fatalf("want the killed run's state file to be left for repair, found %v", states)
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

// TestKillDuringLoad: a load killed while it writes the big layer into the
// store never leaves a half image, and the next load finishes cleanly.
func TestKillDuringLoad(t *testing.T) {
	e := newEnv(t)
	const size = 64 << 20
	archive := bigImageArchive(t, e, size)
	e.ok("images") // start the holder outside the timed window
	landed := 0
	for try := 0; try < 3; try++ {
		cmd := exec.Command(burrowBin, "load", "-q", "-i", archive)
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if killMidExtraction(cmd, filepath.Join(e.dir, "data"), size) {
			landed++
		}
		out := e.ok("images", "--format", "{{.Repository}}:{{.Tag}}")
		if strings.Contains(out, "bigimage") {
			// Finished before the kill: it must then be whole.
			e.ok("run", "--rm", "bigimage", "test", "-s", "/big.bin")
			e.ok("rmi", "bigimage")
		}
	}
	if landed == 0 {
		t.Fatal("no kill landed while /big.bin was being written: the interrupted case went untested")
	}
	t.Logf("%d of 3 kills landed mid-extraction", landed)
	e.ok("load", "-q", "-i", archive)
	if out := e.ok("run", "--rm", "bigimage", "wc", "-c", "/big.bin"); !strings.HasPrefix(strings.TrimSpace(out), fmt.Sprint(size)) {
		t.Fatalf("after an interrupted load the image is not whole: %q", out)
	}
}

// killMidExtraction SIGKILLs cmd as soon as a big.bin under root is partly
// written (the layer being extracted), and reports whether it caught it so;
// if cmd ends first it is reaped and false returned.
func killMidExtraction(cmd *exec.Cmd, root string, size int64) bool {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return false
		default:
		}
		partial := false
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || partial {
				return filepath.SkipDir
			}
			if d.Name() == "big.bin" {
				if fi, err := d.Info(); err == nil && fi.Size() > 0 && fi.Size() < size {
					partial = true
				}
			}
			return nil
		})
		if partial {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			<-done
			return true
		}
		time.Sleep(2 * time.Millisecond)
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
