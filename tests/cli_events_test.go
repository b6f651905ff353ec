package tests

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestCLIEvents: the engine logs container and image events; events
// reads them back with filters, a time window, templates, and follows.
func TestCLIEvents(t *testing.T) {
	e := detachedEnv(t)
	before := time.Now().UTC().Add(-time.Second).Format(time.RFC3339Nano)
	e.ok("run", "--rm", "--name", "once", busyboxImage, "true")
	e.ok("run", "-d", "--name", "ev", "--label", "team=blue", busyboxImage, "sleep", "30")
	e.ok("stop", "-t", "0", "ev")
	e.ok("rm", "ev")
	e.ok("tag", busyboxImage, "evtag")
	e.ok("rmi", "evtag")

	got := e.ok("events", "--stream=false", "--filter", "container=ev", "--format", "{{.Status}} {{.Name}}")
	for _, want := range []string{"create ev", "start ev", "died ev", "stop ev", "remove ev"} {
		if !strings.Contains(got, want+"\n") {
			t.Errorf("events of ev: %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "once") {
		t.Errorf("container=ev shows another container: %q", got)
	}
	if got := e.ok("events", "--stream=false", "--filter", "event=start", "--filter", "container=once", "--format", "{{.Status}} {{.Name}}"); got != "start once\n" {
		t.Errorf("event=start container=once: %q", got)
	}
	if got := e.ok("events", "--stream=false", "--filter", "event=died", "--filter", "container=ev", "--format", `{{index .Attributes "exitCode"}}`); got != "137\n" {
		t.Errorf("exit code of ev's death: %q", got)
	}
	lbl := e.ok("events", "--stream=false", "--filter", "label=team=blue", "--format", "{{.Name}}")
	if strings.Count(lbl, "ev\n") < 3 || strings.Contains(lbl, "once") {
		t.Errorf("label=team=blue: %q", lbl)
	}
	img := e.ok("events", "--stream=false", "--since", before, "--filter", "type=image", "--format", "{{.Type}} {{.Status}} {{.Name}}")
	if !strings.Contains(img, "image tag ") || !strings.Contains(img, "image untag ") || !strings.Contains(img, "evtag") || strings.Contains(img, "container") {
		t.Errorf("type=image: %q", img)
	}
	if got := e.ok("events", "--stream=false", "--until", before); got != "" {
		t.Errorf("--until before anything happened: %q", got)
	}
	if got := e.ok("events", "--stream=false", "--since", "1h", "--filter", "container=once"); !strings.Contains(got, " container start ") || !strings.Contains(got, "name=once") {
		t.Errorf("default format: %q", got)
	}
	if r := e.burrow("events", "--stream=false", "--filter", "colour=red"); r.code != 125 {
		t.Errorf("unknown filter: %s", r)
	}

	// Following (the default) shows what happens after it starts.
	cmd := exec.Command(burrowBin, "events", "--filter", "event=start", "--format", "{{.Name}}")
	cmd.Env = e.vars
	var out syncBuffer
	cmd.Stdout = &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if !waitFor(10*time.Second, func() bool { return holdsOpen(cmd.Process.Pid, "/events.log") }) {
		t.Fatal("events never opened the log")
	}
	time.Sleep(100 * time.Millisecond) // past its seek to the end
	e.ok("run", "--rm", "--name", "late", busyboxImage, "true")
	if !waitFor(10*time.Second, func() bool { return strings.Contains(out.String(), "late\n") }) {
		t.Fatalf("following: %q", out.String())
	}
	if out.String() != "late\n" {
		t.Errorf("following without --since shows only new events: %q", out.String())
	}
}
