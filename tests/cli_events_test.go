package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestCLIEventsKinds: exec, pause, rename, network, volume and build
// events, filtered by type and event, with docker's template fields.
func TestCLIEventsKinds(t *testing.T) {
	delegatedCgroup(t) // pause needs it
	e := detachedEnv(t)
	since := time.Now().UTC().Add(-time.Second).Format(time.RFC3339Nano)
	list := func(args ...string) string {
		return e.ok(append([]string{"events", "--stream=false", "--since", since}, args...)...)
	}

	e.ok("run", "-d", "--name", "ex", "--network", "none", busyboxImage, "sleep", "60")
	if r := e.burrow("exec", "ex", "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("exec: %s", r)
	}
	e.ok("pause", "ex")
	e.ok("unpause", "ex")
	image := strings.TrimSpace(e.ok("inspect", "--format", "{{.ImageName}}", "ex"))
	e.ok("rename", "ex", "ex2")
	if got := list("--filter", "container=ex", "--filter", "event=exec_died", "--format", "{{.Status}} {{.ContainerExitCode}} {{.Name}}"); got != "exec_died 3 ex\n" {
		t.Errorf("exec_died: %q", got)
	}
	got := list("--filter", "type=container", "--filter", "event=exec", "--filter", "event=pause", "--filter", "event=unpause", "--filter", "event=rename",
		"--format", "{{.Status}} {{.Actor.Attributes.name}} {{.Scope}} {{.From}}")
	if want := "exec ex local " + image + "\npause ex local "; image == "" || !strings.HasPrefix(got, want) ||
		!strings.Contains(got, "unpause ex local ") || !strings.Contains(got, "rename ex2 local ") {
		t.Errorf("exec, pause, unpause, rename: %q", got)
	}
	e.ok("rm", "-f", "ex2")

	e.ok("network", "create", "evnet")
	e.ok("network", "create", "evbase")
	e.ok("create", "--name", "nc", "--network", "evbase", busyboxImage, "true")
	e.ok("network", "connect", "evnet", "nc")
	e.ok("network", "disconnect", "evnet", "nc")
	e.ok("rm", "nc")
	e.ok("network", "rm", "evnet")
	if got := list("--filter", "type=network", "--filter", "network=evnet", "--format", "{{.Type}} {{.Status}} {{.Name}} {{.Network}}"); got !=
		"network create evnet evnet\nnetwork connect nc evnet\nnetwork disconnect nc evnet\nnetwork remove evnet evnet\n" {
		t.Errorf("network events: %q", got)
	}

	e.ok("volume", "create", "evvol")
	e.ok("run", "--rm", "--network", "none", "-v", "evvol:/data", busyboxImage, "true")
	e.ok("volume", "rm", "evvol")
	e.ok("volume", "create", "evprune")
	e.ok("volume", "prune", "-f")
	if got := list("--filter", "type=volume", "--format", "{{.Status}} {{.Name}}"); got != "create evvol\nmount evvol\nremove evvol\ncreate evprune\nprune evprune\n" {
		t.Errorf("volume events: %q", got)
	}
	if got := list("--filter", "volume=evprune", "--format", "{{.Status}}"); got != "create\nprune\n" {
		t.Errorf("volume=evprune: %q", got)
	}

	if r, err := e.exec("FROM "+busyboxImage+"\nLABEL built=yes\n", "build", "-q", "-t", "evbuilt", "-f", "-", t.TempDir()); err != nil || r.code != 0 {
		t.Fatalf("build: %v %s", err, r)
	}
	if got := list("--filter", "type=image", "--filter", "event=build", "--filter", "event=tag", "--format", "{{.Status}} {{.Name}}"); !strings.HasPrefix(got, "build evbuilt\ntag ") || !strings.Contains(got, "evbuilt") {
		t.Errorf("build events: %q", got)
	}
}

// TestCLIEventsRotation: past its size the log is rotated; --since still
// finds what went before and a follower goes on across the rotation.
func TestCLIEventsRotation(t *testing.T) {
	e := detachedEnv(t)
	log := filepath.Join(e.dir, "run", "burrow", "events.log")
	// An hour-old past of a little over 1 MiB (podman's default limit).
	old := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	var b strings.Builder
	for b.Len() < 1<<20 {
		fmt.Fprintf(&b, `{"time":%q,"type":"container","action":"create","id":"%064d","name":"old%d","attributes":{"pad":%q}}`+"\n",
			old, b.Len(), b.Len(), strings.Repeat("x", 100))
	}
	f, err := os.OpenFile(log, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		t.Fatal(err)
	}
	f.Close()

	cmd := exec.Command(burrowBin, "events", "--filter", "event=create", "--filter", "type=container", "--format", "{{.Name}}")
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

	e.ok("create", "--name", "first", busyboxImage, "true")
	// The full log is events.log.1 now; the next event starts a new one.
	if st, err := os.Stat(log + ".1"); err != nil || st.Size() < 1<<20 {
		t.Fatalf("no rotated log: %v %v", st, err)
	}
	if st, err := os.Stat(log); err == nil && st.Size() > 1<<10 {
		t.Fatalf("the log was not rotated: %d bytes", st.Size())
	}
	e.ok("create", "--name", "second", busyboxImage, "true")
	if !waitFor(10*time.Second, func() bool { return out.String() == "first\nsecond\n" }) {
		t.Errorf("the follower across the rotation: %q", out.String())
	}
	got := e.ok("events", "--stream=false", "--since", "2h", "--filter", "event=create", "--format", "{{.Name}}")
	if !strings.HasPrefix(got, "old0\n") || !strings.HasSuffix(got, "first\nsecond\n") {
		t.Errorf("--since across the rotation: starts %q, ends %q", got[:min(len(got), 40)], got[max(0, len(got)-40):])
	}
}
