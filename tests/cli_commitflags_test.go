package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommitFlagsConfigVolumes: commit --config merges docker's container
// configuration into the image's (--change still has the last word);
// --include-volumes makes the container's -v and --mount destinations
// VOLUMEs of the image.
func TestCommitFlagsConfigVolumes(t *testing.T) {
	e := detachedEnv(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	doc := `{"Env":["MODE=prod"],"Cmd":["echo","from-config"],"Labels":{"tier":"web"},"ExposedPorts":{"8080/tcp":{}},"WorkingDir":"/srv"}`
	if err := os.WriteFile(cfg, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	e.ok("run", "--name", "src", "--network", "none", "-v", dir+":/hostdir", "--mount", "type=volume,src=named,dst=/named",
		busyboxImage, "mkdir", "-p", "/srv")
	e.ok("commit", "-q", "--config", cfg, "--change", "LABEL tier=db", "src", "configured")
	format := "{{.Config.Env}} {{.Config.Cmd}} {{.Config.Labels.tier}} {{.Config.WorkingDir}} {{len .Config.ExposedPorts}} {{len .Config.Volumes}}"
	got := e.ok("image", "inspect", "--format", format, "configured")
	if !strings.Contains(got, "MODE=prod") || !strings.Contains(got, "[echo from-config]") || !strings.Contains(got, " db /srv 1 0") {
		t.Errorf("commit --config: %q; want MODE=prod, the Cmd, tier=db (--change last), /srv, one port, no volume", got)
	}
	if out := e.ok("run", "--rm", "--network", "none", "configured"); out != "from-config\n" {
		t.Errorf("the committed Cmd printed %q", out)
	}
	e.ok("commit", "-q", "--include-volumes", "src", "withvolumes")
	vols := e.ok("image", "inspect", "--format", "{{range $k, $v := .Config.Volumes}}{{$k}} {{end}}", "withvolumes")
	if vols != "/hostdir /named \n" {
		t.Errorf("commit --include-volumes: VOLUMEs %q, want /hostdir and /named", vols)
	}
	if out := e.ok("image", "inspect", "--format", "{{len .Config.Volumes}}", "configured"); out != "0\n" {
		t.Errorf("commit without --include-volumes has %s VOLUMEs", out)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"Cmdd":["x"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.burrow("commit", "--config", bad, "src", "bad"); r.code != 125 || !strings.Contains(r.stderr, "--config") {
		t.Errorf("commit --config with an unknown field: %s; want 125", r)
	}
}

// TestImagesFlagsHistory: images --history shows the names an image has
// had, latest first, also after a name is taken off.
func TestImagesFlagsHistory(t *testing.T) {
	e := detachedEnv(t)
	e.ok("tag", busyboxImage, "first:1")
	e.ok("tag", busyboxImage, "second:2")
	e.ok("rmi", "first:1")
	out := e.ok("images", "--history", "--format", "{{.Repository}}:{{.Tag}} {{.History}}", "second")
	if !strings.Contains(out, "second:2") || !strings.Contains(out, "first:1") || !strings.Contains(out, "localhost/second:2, ") {
		t.Errorf("images --history: %q; want second:2 first, then first:1, still listed", out)
	}
	if table := e.ok("images", "--history"); !strings.Contains(strings.SplitN(table, "\n", 2)[0], "HISTORY") {
		t.Errorf("images --history: no HISTORY column in\n%s", table)
	}
}
