package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cpRaceTries is how many copies go each way; the unconfined cp escaped
// in about one try in four, so 60 leave no chance of passing by luck.
const cpRaceTries = 60

// exchangeHelper is the static renameat2 swapper `make e2e` builds beside
// burrow. Without it the race test cannot attack, so it fails rather than
// skips: a security test that quietly does not run proves nothing.
func exchangeHelper(t *testing.T) string {
	t.Helper()
	path := filepath.Join(filepath.Dir(burrowBin), "exchange")
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no swap helper at %s (make e2e builds it with CGO_ENABLED=0 go build -o bin/exchange ./tests/exchange): %v", path, err)
	}
	return path
}

// TestCpRace: while a process in the container swaps the directory /w/d
// with /w/l, a symlink to a host directory, cp in either direction must
// stay inside the container's root (CVE-2018-15664): no file written into
// the host directory, no host file read.
func TestCpRace(t *testing.T) {
	exchange := exchangeHelper(t)
	e := detachedEnv(t)
	hostDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(hostDir, "secret"), []byte("host secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "race", "-v", exchange+":/exchange:ro", busyboxImage, "sh", "-c",
		"mkdir -p /w/d && echo container > /w/d/secret && ln -s "+hostDir+" /w/l && exec /exchange /w/d /w/l")
	if !waitFor(10*time.Second, func() bool { return strings.Contains(e.burrow("logs", "race").stdout, "exchanging") }) {
		t.Fatalf("the swapper never started: %s", e.burrow("logs", "race"))
	}
	src := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(src, []byte("from host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// A copy that finds /w/d a symlink fails (its target is not in the
	// container); the messages are logged to show how.
	failures := map[string]int{}
	written, copiedIn := 0, 0
	for range cpRaceTries {
		if r := e.burrow("cp", src, "race:/w/d/f"); r.code == 0 {
			copiedIn++
		} else {
			failures[r.stderr]++
		}
		if err := os.Remove(filepath.Join(hostDir, "f")); err == nil {
			written++
		}
	}
	outDir := t.TempDir()
	read, copiedOut := 0, 0
	for i := range cpRaceTries {
		dst := filepath.Join(outDir, itoa(i))
		if r := e.burrow("cp", "race:/w/d/secret", dst); r.code != 0 {
			failures[r.stderr]++
			continue
		}
		copiedOut++
		switch data, err := os.ReadFile(dst); {
		case err != nil:
			t.Errorf("cp out succeeded but left nothing at %s: %v", dst, err)
		case string(data) == "host secret\n":
			read++
		case string(data) != "container\n":
			t.Errorf("cp out copied %q", data)
		}
	}
	t.Logf("%d tries each way in %s: copy in wrote on the host %d times (%d copies succeeded), copy out read the host %d times (%d succeeded)",
		cpRaceTries, time.Since(start).Round(time.Millisecond), written, copiedIn, read, copiedOut)
	for msg, n := range failures {
		t.Logf("%d× %s", n, strings.TrimSpace(msg))
	}
	if written > 0 || read > 0 {
		t.Fatalf("cp followed the swapped symlink onto the host: wrote there %d times, read from there %d times in %d tries", written, read, cpRaceTries)
	}
	if e.burrow("logs", "race").stderr != "" {
		t.Fatalf("the swapper stopped: %s", e.burrow("logs", "race"))
	}
	// Copies that cannot succeed would also never escape.
	if copiedIn == 0 || copiedOut == 0 {
		t.Fatalf("no copy succeeded (in %d, out %d): the swap left no window with /w/d a directory", copiedIn, copiedOut)
	}
	e.ok("kill", "race")
	e.ok("wait", "race")
	landed := e.burrow("cp", "race:/w/d/f", filepath.Join(outDir, "landed")).code == 0 ||
		e.burrow("cp", "race:/w/l/f", filepath.Join(outDir, "landed")).code == 0
	if data, err := os.ReadFile(filepath.Join(outDir, "landed")); !landed || string(data) != "from host\n" {
		t.Errorf("the copies in should have landed in the container's directory: %q %v", data, err)
	}
}
