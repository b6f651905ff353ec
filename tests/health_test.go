package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func psStatus(e *env, name string) string {
	for _, line := range strings.Split(e.ok("ps", "-a", "--format", "{{.Names}}|{{.Status}}"), "\n") {
		if n, status, ok := strings.Cut(line, "|"); ok && n == name {
			return status
		}
	}
	return ""
}

// TestHealthcheck: a detached container's check runs every interval from
// its monitor: starting, unhealthy after retries failures, healthy once it
// passes; ps, inspect and `healthcheck run` agree; rm and a killed monitor
// leave no status behind.
func TestHealthcheck(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "hc", "--health-cmd", "echo probing; test -f /tmp/ok", "--health-interval", "300ms", "--health-retries", "2", busyboxImage, "sleep", "1000")
	if s := psStatus(e, "hc"); !strings.HasSuffix(s, "(starting)") {
		t.Errorf("at start: %q", s)
	}
	if !waitFor(10*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "hc"), "(unhealthy)") }) {
		t.Fatalf("never unhealthy: %q", psStatus(e, "hc"))
	}
	if r := e.burrow("healthcheck", "run", "hc"); r.code != 1 || !strings.Contains(r.stderr, "probing") {
		t.Errorf("healthcheck run while failing: %s", r)
	}
	e.ok("exec", "hc", "touch", "/tmp/ok")
	if !waitFor(10*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "hc"), "(healthy)") }) {
		t.Fatalf("never healthy: %q", psStatus(e, "hc"))
	}
	if r := e.burrow("healthcheck", "run", "hc"); r.code != 0 {
		t.Errorf("healthcheck run while passing: %s", r)
	}
	got := e.ok("inspect", "--format", "{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}} {{(index .State.Health.Log 0).Output}}", "hc")
	if f := strings.Fields(got); len(f) != 4 || f[0] != "healthy" || f[1] != "0" || f[2] != "5" || f[3] != "probing" {
		t.Errorf("inspect: %q", got)
	}
	healthDir := filepath.Join(e.dir, "run", "burrow", "health")
	e.ok("rm", "-f", "hc")
	if ents := listDir(t, healthDir); len(ents) != 0 {
		t.Errorf("rm -f left a status: %v", ents)
	}

	e.ok("run", "-d", "--name", "killed", "--health-cmd", "true", "--health-interval", "200ms", busyboxImage, "sleep", "1000")
	id := strings.TrimSpace(e.ok("ps", "-q", "--no-trunc", "--filter", "name=killed"))
	st := readFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
	if err := killAndWait(jsonInt(t, st, "ownerPid")); err != nil {
		t.Fatal(err)
	}
	e.ok("ps", "-a")
	if ents := listDir(t, healthDir); len(ents) != 0 {
		t.Errorf("a killed monitor's status outlived the next command: %v", ents)
	}
	if r := e.burrow("healthcheck", "run", "killed"); r.code != 125 {
		t.Errorf("healthcheck run on a stopped container: %s", r)
	}
}

// TestHealthcheckForegroundAndBadInput: a foreground run is checked too;
// conflicting or negative settings are refused before anything exists.
func TestHealthcheckForegroundAndBadInput(t *testing.T) {
	e := detachedEnv(t)
	cmd := exec.Command(burrowBin, "run", "--name", "fg", "--health-cmd", "true", "--health-interval", "200ms", busyboxImage, "sleep", "1000")
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if !waitFor(15*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "fg"), "(healthy)") }) {
		t.Errorf("foreground container never healthy: %q", psStatus(e, "fg"))
	}
	e.ok("rm", "-f", "fg")
	before := e.ok("ps", "-aq")
	for _, args := range [][]string{
		{"--no-healthcheck", "--health-cmd", "true"},
		{"--health-cmd", "true", "--health-interval", "-1s"},
		{"--health-retries", "-2", "--health-cmd", "true"},
	} {
		r := e.burrow(append(append([]string{"run", "-d"}, args...), busyboxImage, "true")...)
		if r.code != 125 {
			t.Errorf("%v: %s", args, r)
		}
	}
	if after := e.ok("ps", "-aq"); after != before {
		t.Errorf("refused runs left containers: %q", after)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "run", "burrow", "health")); err == nil {
		if ents := listDir(t, filepath.Join(e.dir, "run", "burrow", "health")); len(ents) != 0 {
			t.Errorf("statuses left: %v", ents)
		}
	}
}

// TestHealthcheckFromImage: an image's HEALTHCHECK (docker's config keeps
// it; the OCI one has no field) runs unless --no-healthcheck, and the
// flags override parts of it.
func TestHealthcheckFromImage(t *testing.T) {
	e := newEnv(t)
	archive := filepath.Join(e.dir, "hc.tar")
	cfg := map[string]any{"Cmd": []string{"sleep", "1000"}, "Env": []string{"PATH=/bin"},
		"Healthcheck": map[string]any{"Test": []string{"CMD-SHELL", "test -f /tmp/ok"}, "Interval": int64(300 * time.Millisecond), "Retries": 1}}
	if err := writeDockerArchiveConfig(archive, []string{"checked:1"}, cfg, busyboxLayer(t)); err != nil {
		t.Fatal(err)
	}
	e.ok("load", "-q", "-i", archive)
	e.ok("run", "-d", "--name", "img", "checked:1")
	if !waitFor(10*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "img"), "(unhealthy)") }) {
		t.Fatalf("the image's check did not run: %q", psStatus(e, "img"))
	}
	e.ok("exec", "img", "touch", "/tmp/ok")
	if !waitFor(10*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "img"), "(healthy)") }) {
		t.Errorf("never healthy: %q", psStatus(e, "img"))
	}
	e.ok("run", "-d", "--name", "off", "--no-healthcheck", "checked:1")
	time.Sleep(time.Second)
	if s := psStatus(e, "off"); strings.Contains(s, "(") {
		t.Errorf("--no-healthcheck: %q", s)
	}
	e.ok("run", "-d", "--name", "slow", "--health-interval", "1h", "checked:1")
	time.Sleep(time.Second)
	if s := psStatus(e, "slow"); !strings.HasSuffix(s, "(starting)") {
		t.Errorf("--health-interval 1h over the image's 300ms: %q", s)
	}
}
