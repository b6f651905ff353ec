package tests

import (
	"strings"
	"testing"
)

// TestInitSignalRightAfterStart: a SIGTERM sent as soon as `run -d --init`
// returns reaches the command through the reaper (exit 143), never the
// reaper before it can pass signals on (which made it exit 2).
func TestInitSignalRightAfterStart(t *testing.T) {
	e := busyboxEnv(t)
	for i := 0; i < 20; i++ {
		e.ok("run", "-d", "--init", "--network", "none", "--name", "s", busyboxImage, "sleep", "1000")
		e.ok("kill", "-s", "TERM", "s")
		if out := strings.TrimSpace(e.ok("wait", "s")); out != "143" {
			t.Fatalf("start %d: exit %s after SIGTERM, want 143", i, out)
		}
		e.ok("rm", "s")
	}
}
