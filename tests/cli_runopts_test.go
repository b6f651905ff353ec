package tests

import (
	"strings"
	"testing"
	"time"
)

// TestCLIUmaskTimeout: --umask is the command's umask (0022 by default,
// whatever burrow's own is); --timeout kills a container, foreground or
// detached, once its time is up.
func TestCLIUmaskTimeout(t *testing.T) {
	e := detachedEnv(t)
	if got := e.ok("run", "--rm", "--umask", "0077", busyboxImage, "sh", "-c", "umask; touch /tmp/f; stat -c %a /tmp/f"); got != "0077\n600\n" {
		t.Errorf("--umask 0077: %q", got)
	}
	if got := e.ok("run", "--rm", busyboxImage, "sh", "-c", "umask"); got != "0022\n" {
		t.Errorf("default umask: %q", got)
	}
	e.ok("run", "-d", "--name", "um", "--umask", "027", busyboxImage, "sh", "-c", "umask")
	e.ok("wait", "um")
	if got := e.ok("logs", "um"); got != "0027\n" {
		t.Errorf("--umask with -d: %q", got)
	}
	if r := e.burrow("run", "--rm", "--umask", "0999", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "umask") {
		t.Errorf("bad umask: %s", r)
	}

	start := time.Now()
	if r := e.burrow("run", "--rm", "--timeout", "1", busyboxImage, "sleep", "30"); r.code != 137 || time.Since(start) > 15*time.Second {
		t.Errorf("--timeout 1 in the foreground: %s after %v", r, time.Since(start))
	}
	start = time.Now()
	e.ok("run", "-d", "--name", "to", "--timeout", "1", busyboxImage, "sleep", "30")
	if r := e.burrow("wait", "to"); r.stdout != "137\n" || time.Since(start) > 15*time.Second {
		t.Errorf("--timeout 1 with -d: %s after %v", r, time.Since(start))
	}
	// No timeout: a short command ends by itself.
	if r := e.burrow("run", "--rm", "--timeout", "20", busyboxImage, "true"); r.code != 0 {
		t.Errorf("--timeout longer than the command: %s", r)
	}
}
