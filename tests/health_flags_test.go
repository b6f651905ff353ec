package tests

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHealthFlagsOnFailure: --health-on-failure kill ends the container,
// stop asks it to end (its TERM handler runs), restart starts it again.
func TestHealthFlagsOnFailure(t *testing.T) {
	e := detachedEnv(t)
	failing := []string{"--health-cmd", "false", "--health-interval", "200ms", "--health-retries", "1"}
	state := func(name string) string {
		return strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Running}} {{.State.ExitCode}} {{.RestartCount}}", name))
	}
	for _, tc := range []struct{ action, want string }{{"kill", "false 137 0"}, {"stop", "false 3 0"}} {
		args := append(append([]string{"run", "-d", "--name", tc.action, "--health-on-failure", tc.action}, failing...),
			busyboxImage, "sh", "-c", "trap 'exit 3' TERM; while :; do sleep 0.1; done")
		e.ok(args...)
		if !waitFor(15*time.Second, func() bool { return state(tc.action) == tc.want }) {
			t.Errorf("--health-on-failure %s: running, exit code, restarts = %q, want %q", tc.action, state(tc.action), tc.want)
		}
	}
	args := append(append([]string{"run", "-d", "--name", "again", "--health-on-failure", "restart"}, failing...), busyboxImage, "sleep", "1000")
	e.ok(args...)
	if !waitFor(20*time.Second, func() bool {
		f := strings.Fields(state("again"))
		n, _ := strconv.Atoi(f[len(f)-1])
		return n >= 1
	}) {
		t.Errorf("--health-on-failure restart: never restarted (%q)", state("again"))
	}
	e.ok("rm", "-f", "again")
	if r := e.burrow(append(append([]string{"run", "--rm", "--health-on-failure", "restart"}, failing...), busyboxImage, "true")...); r.code != 125 || !strings.Contains(r.stderr, "-d") {
		t.Errorf("--health-on-failure restart in the foreground: %s; want 125", r)
	}
	if r := e.burrow("run", "--rm", "--health-cmd", "true", "--health-on-failure", "reboot", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--health-on-failure") {
		t.Errorf("--health-on-failure reboot: %s; want 125", r)
	}
}

// TestHealthFlagsIntervalsAndLog: docker's --health-start-interval checks
// often during the start period; podman's --health-max-log-count and
// --health-max-log-size bound what .State.Health.Log keeps.
func TestHealthFlagsIntervalsAndLog(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "quick", "--health-cmd", "true", "--health-interval", "1h", "--health-start-period", "1m",
		"--health-start-interval", "200ms", busyboxImage, "sleep", "1000")
	if !waitFor(10*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "quick"), "(healthy)") }) {
		t.Errorf("--health-start-interval 200ms (interval 1h): still %q", psStatus(e, "quick"))
	}
	e.ok("run", "-d", "--name", "bounded", "--health-cmd", "echo hello", "--health-interval", "200ms",
		"--health-max-log-count", "2", "--health-max-log-size", "3", busyboxImage, "sleep", "1000")
	time.Sleep(2 * time.Second)
	got := e.ok("inspect", "--format", "{{len .State.Health.Log}} {{(index .State.Health.Log 0).Output}}", "bounded")
	if got != "2 hel\n" {
		t.Errorf("--health-max-log-count 2 --health-max-log-size 3: %q, want 2 results of \"hel\"", got)
	}
	if r := e.burrow("run", "--rm", "--health-cmd", "true", "--health-log-destination", "/tmp", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--health-log-destination") {
		t.Errorf("--health-log-destination /tmp: %s; want 125", r)
	}
	if r := e.burrow("run", "--rm", "--network", "none", "--health-cmd", "true", "--health-log-destination", "local", busyboxImage, "echo", "ok"); r.code != 0 || r.stdout != "ok\n" {
		t.Errorf("--health-log-destination local: %s", r)
	}
}

// TestHealthFlagsStartup: podman's startup check runs first, the regular
// one only once it has passed --health-startup-success times; failing
// --health-startup-retries times restarts the container.
func TestHealthFlagsStartup(t *testing.T) {
	e := detachedEnv(t)
	// The regular check would pass at once; the startup one holds it off
	// until /tmp/up exists.
	e.ok("run", "-d", "--name", "slow", "--health-cmd", "true", "--health-interval", "200ms",
		"--health-startup-cmd", "test -e /tmp/up", "--health-startup-interval", "200ms", "--health-startup-success", "2",
		busyboxImage, "sleep", "1000")
	time.Sleep(1500 * time.Millisecond)
	if s := psStatus(e, "slow"); !strings.HasSuffix(s, "(starting)") {
		t.Errorf("before the startup check passed: %q, want starting", s)
	}
	e.ok("exec", "slow", "touch", "/tmp/up")
	if !waitFor(10*time.Second, func() bool { return strings.HasSuffix(psStatus(e, "slow"), "(healthy)") }) {
		t.Errorf("after the startup check passed: %q, want healthy", psStatus(e, "slow"))
	}
	e.ok("run", "-d", "--name", "never", "--health-cmd", "true", "--health-startup-cmd", "false",
		"--health-startup-interval", "200ms", "--health-startup-retries", "2", busyboxImage, "sleep", "1000")
	if !waitFor(15*time.Second, func() bool {
		return strings.TrimSpace(e.ok("inspect", "--format", "{{.RestartCount}}", "never")) != "0"
	}) {
		t.Errorf("a startup check failing twice with --health-startup-retries 2 never restarted the container")
	}
	e.ok("rm", "-f", "never")
	for _, bad := range [][]string{
		{"--health-startup-cmd", "true"},
		{"--health-cmd", "true", "--health-startup-interval", "1s"},
		{"--health-cmd", "true", "--health-startup-cmd", "true", "--health-startup-retries", "1"},
	} {
		args := append(append([]string{"run", "--rm"}, bad...), busyboxImage, "true")
		if r := e.burrow(args...); r.code != 125 || !strings.Contains(r.stderr, "--health-startup") {
			t.Errorf("%v: %s; want 125 naming --health-startup-*", bad, r)
		}
	}
}
