package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLILogDrivers: --log-driver none keeps no log, passthrough is the
// foreground's own output, --log-opt path= puts the json-file log where
// the user says and logs reads it there.
func TestCLILogDrivers(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "quiet", "--log-driver", "none", busyboxImage, "sh", "-c", "echo hidden")
	e.ok("wait", "quiet")
	if r := e.burrow("logs", "quiet"); r.code != 125 || !strings.Contains(r.stderr, "none") || strings.Contains(r.stdout, "hidden") {
		t.Errorf("logs of a none-driver container: %s", r)
	}
	if got := e.ok("inspect", "--format", "{{.HostConfig.LogConfig.Type}}", "quiet"); got != "none\n" {
		t.Errorf("LogConfig.Type: %q", got)
	}

	path := filepath.Join(e.dir, "logs", "mine.log")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "-d", "--name", "pathed", "--log-opt", "path="+path, busyboxImage, "sh", "-c", "echo to-file")
	e.ok("wait", "pathed")
	if data, err := os.ReadFile(path); err != nil || !strings.Contains(string(data), "to-file") {
		t.Errorf("log at --log-opt path: %q, %v", data, err)
	}
	if got := e.ok("logs", "pathed"); got != "to-file\n" {
		t.Errorf("logs of a container logging to a path: %q", got)
	}
	if got := e.ok("inspect", "--format", `{{index .HostConfig.LogConfig.Config "path"}}`, "pathed"); got != path+"\n" {
		t.Errorf("LogConfig path: %q", got)
	}

	e.ok("run", "-d", "--name", "k8s", "--log-driver", "k8s-file", busyboxImage, "sh", "-c", "echo k8s")
	e.ok("wait", "k8s")
	if got := e.ok("logs", "k8s"); got != "k8s\n" {
		t.Errorf("k8s-file: %q", got)
	}

	if r := e.burrow("run", "--rm", "--log-driver", "passthrough", busyboxImage, "echo", "through"); r.code != 0 || r.stdout != "through\n" {
		t.Errorf("passthrough in the foreground: %s", r)
	}
	before := e.ok("ps", "-aq")
	for _, args := range [][]string{
		{"-d", "--log-driver", "passthrough"},
		{"-d", "--log-driver", "journald"},
		{"-d", "--log-opt", "path=relative.log"},
		{"-d", "--log-driver", "none", "--log-opt", "path=" + path},
	} {
		r := e.burrow(append(append([]string{"run"}, args...), busyboxImage, "true")...)
		if r.code != 125 {
			t.Errorf("run %v: %s", args, r)
		}
	}
	if after := e.ok("ps", "-aq"); after != before {
		t.Errorf("refused runs left containers: %q, was %q", after, before)
	}
}
