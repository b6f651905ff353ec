package tests

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildContext writes files (path → contents) into a new context directory.
func buildContext(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// imageConfig is the part of image inspect a build sets.
type imageConfig struct {
	Config struct {
		User         string
		ExposedPorts map[string]struct{}
		Env          []string
		Entrypoint   []string
		Cmd          []string
		Volumes      map[string]struct{}
		WorkingDir   string
		Labels       map[string]string
		StopSignal   string
	}
	History []struct {
		CreatedBy  string `json:"created_by"`
		EmptyLayer bool   `json:"empty_layer"`
	}
}

func inspectImage(e *env, ref string) imageConfig {
	e.t.Helper()
	var out []imageConfig
	raw := e.ok("image", "inspect", ref)
	if err := json.Unmarshal([]byte(raw), &out); err != nil || len(out) != 1 {
		e.t.Fatalf("image inspect %s: %v: %s", ref, err, raw)
	}
	return out[0]
}

const multiStage = `ARG BASE=busybox
FROM $BASE AS builder
ARG GREETING=hello
RUN mkdir -p /out && echo "$GREETING from the builder" > /out/greeting
FROM scratch AS files
COPY --from=builder /out/greeting /greeting
FROM ${BASE}
COPY --from=files /greeting /app/greeting
COPY --chown=1000:1000 --chmod=600 data/ /data/
COPY *.txt /texts/
ENV APP_MODE=test
WORKDIR /app
USER 1000:1000
EXPOSE 8080 53/udp
LABEL org.example.name=demo
VOLUME /state
STOPSIGNAL SIGTERM
HEALTHCHECK CMD true
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting"]
`

func TestBuildMultiStage(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile": multiStage, "data/x": "secret", "data/y": "y", "a.txt": "a", "b.txt": "b", "c.md": "c",
	})
	out := e.ok("build", "-t", "app:1", "-t", "app:latest", "--build-arg", "GREETING=bonjour", "--label", "built.by=test", dir)
	if !strings.Contains(out, "[1/3] STEP 3/3: RUN mkdir") || !strings.Contains(out, "COMMIT app:1 app:latest") {
		t.Fatalf("build output lacks the steps or the commit:\n%s", out)
	}
	if got := e.ok("run", "--rm", "--network", "none", "app:1"); got != "bonjour from the builder\n" {
		t.Fatalf("run app:1 printed %q", got)
	}
	// USER, WORKDIR, ENV and COPY's --chown/--chmod, globs and directory contents, seen from inside.
	got := e.ok("run", "--rm", "--network", "none", "app:latest", `id -u; id -g; pwd; echo $APP_MODE; stat -c %u:%g:%a /data/x /data/y; ls /texts; cat /data/x`)
	want := "1000\n1000\n/app\ntest\n1000:1000:600\n1000:1000:600\na.txt\nb.txt\nsecret"
	if got != want {
		t.Fatalf("inside the image:\n%s\nwant:\n%s", got, want)
	}
	cfg := inspectImage(e, "app:1").Config
	if cfg.User != "1000:1000" || cfg.WorkingDir != "/app" || cfg.StopSignal != "SIGTERM" {
		t.Errorf("User %q WorkingDir %q StopSignal %q", cfg.User, cfg.WorkingDir, cfg.StopSignal)
	}
	if !reflect.DeepEqual(cfg.Entrypoint, []string{"/bin/sh", "-c"}) || !reflect.DeepEqual(cfg.Cmd, []string{"cat /app/greeting"}) {
		t.Errorf("Entrypoint %q Cmd %q", cfg.Entrypoint, cfg.Cmd)
	}
	if _, ok := cfg.ExposedPorts["8080/tcp"]; !ok || len(cfg.ExposedPorts) != 2 {
		t.Errorf("ExposedPorts %v", cfg.ExposedPorts)
	}
	if _, ok := cfg.ExposedPorts["53/udp"]; !ok {
		t.Errorf("ExposedPorts %v", cfg.ExposedPorts)
	}
	if _, ok := cfg.Volumes["/state"]; !ok {
		t.Errorf("Volumes %v", cfg.Volumes)
	}
	if cfg.Labels["org.example.name"] != "demo" || cfg.Labels["built.by"] != "test" {
		t.Errorf("Labels %v", cfg.Labels)
	}
	if !containsString(cfg.Env, "APP_MODE=test") {
		t.Errorf("Env %v", cfg.Env)
	}
	var lines []string
	for _, h := range inspectImage(e, "app:1").History {
		lines = append(lines, h.CreatedBy)
	}
	joined := strings.Join(lines, "\n")
	for _, w := range []string{"#(nop) COPY dir:", " in /data/ ", "#(nop) ENV APP_MODE=test", "#(nop) WORKDIR /app", `#(nop) CMD ["cat /app/greeting"]`} {
		if !strings.Contains(joined, w) {
			t.Errorf("history lacks %q:\n%s", w, joined)
		}
	}
	// --target ends with the builder stage, whose RUN saw the ARG.
	e.ok("build", "-q", "--target", "builder", "-t", "builder", "--build-arg", "GREETING=hi", dir)
	if got := e.ok("run", "--rm", "--network", "none", "builder", "cat", "/out/greeting"); got != "hi from the builder\n" {
		t.Fatalf("target builder: %q", got)
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestBuildCache proves the layer cache. Each RUN records that it ran in
// the build's output: the command's own line appears beside its STEP line
// only when it runs, never on a cache hit.
func TestBuildCache(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nRUN echo ran-first-step\nCOPY a /a\nRUN echo ran-after-copy && cat /a\nENV X=1\n",
		"a":          "one\n",
	})
	first := e.ok("build", "-t", "cached", dir)
	for _, w := range []string{"ran-first-step", "ran-after-copy"} {
		if strings.Count(first, w) != 2 { // the STEP line and the command's output
			t.Fatalf("first build: %q not run:\n%s", w, first)
		}
	}
	id1 := strings.TrimSpace(lastLine(first))
	second := e.ok("build", "-t", "cached", dir)
	if strings.Count(second, "ran-") != 2 || strings.Count(second, "--> Using cache") != 4 {
		t.Fatalf("second build of an unchanged context ran a step:\n%s", second)
	}
	if id2 := strings.TrimSpace(lastLine(second)); id2 != id1 {
		t.Fatalf("unchanged build made image %s, first %s", id2, id1)
	}
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("two\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third := e.ok("build", "-t", "cached", dir)
	if strings.Count(third, "ran-first-step") != 1 || strings.Count(third, "ran-after-copy") != 2 || !strings.Contains(third, "two") {
		t.Fatalf("after a change to a copied file, want the first RUN cached and the second run:\n%s", third)
	}
	nocache := e.ok("build", "--no-cache", "-t", "cached", dir)
	if strings.Contains(nocache, "Using cache") || strings.Count(nocache, "ran-first-step") != 2 {
		t.Fatalf("--no-cache used the cache:\n%s", nocache)
	}
	// Cached steps are ordinary unnamed images: prune takes them.
	e.ok("rmi", "cached")
	e.ok("image", "prune")
	again := e.ok("build", "-t", "cached", dir)
	if strings.Contains(again, "Using cache") {
		t.Fatalf("the cache outlived image prune:\n%s", again)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestBuildIgnoreFile(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile":    "FROM busybox\nCOPY . /ctx/\nCMD [\"ls\", \"-a\", \"/ctx\", \"/ctx/keep\", \"/ctx/docs\"]\n",
		".dockerignore": "secret*\n*.log\nkeep/*.tmp\n!keep/wanted.tmp\ndocs\n!docs/kept.md\n",
		"secret.key":    "k", "app.log": "l", "main.go": "m", "keep/a.tmp": "a", "keep/wanted.tmp": "w",
		"docs/kept.md": "k", "docs/dropped.md": "d",
	})
	e.ok("build", "-q", "-t", "ign", dir)
	got := e.ok("run", "--rm", "--network", "none", "ign")
	for _, gone := range []string{"secret.key", "app.log", "a.tmp", "dropped.md"} {
		if strings.Contains(got, gone) {
			t.Errorf("%s was copied despite .dockerignore:\n%s", gone, got)
		}
	}
	for _, kept := range []string{"main.go", "wanted.tmp", "Dockerfile", "kept.md"} {
		if !strings.Contains(got, kept) {
			t.Errorf("%s is missing:\n%s", kept, got)
		}
	}
	// An ignored file named as a source is as missing as an absent one.
	bad := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nCOPY secret.key /\n", ".dockerignore": "secret.key\n", "secret.key": "k"})
	if r := e.burrow("build", bad); r.code != 125 || !strings.Contains(r.stderr, "secret.key") {
		t.Fatalf("COPY of an ignored file: %s", r)
	}
}

// TestBuildStdin: -f - reads the Dockerfile from stdin.
func TestBuildStdin(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{"f": "from-context"})
	r, err := e.exec("FROM busybox\nCOPY f /f\nCMD [\"cat\", \"/f\"]\n", "build", "-q", "-t", "stdin", "--iidfile", filepath.Join(dir, "iid"), "-f", "-", dir)
	if err != nil || r.code != 0 {
		t.Fatalf("build -f -: %v %s", err, r)
	}
	iid, _ := os.ReadFile(filepath.Join(dir, "iid"))
	if string(iid) != "sha256:"+strings.TrimSpace(r.stdout) {
		t.Fatalf("--iidfile has %q, -q printed %q", iid, r.stdout)
	}
	if got := e.ok("run", "--rm", "--network", "none", "stdin"); got != "from-context" {
		t.Fatalf("run: %q", got)
	}
}

// state is what a failed build must not change: images, containers, layers.
func (e *env) storeState() string {
	e.t.Helper()
	return e.ok("images", "-q", "--no-trunc") + "|" + e.ok("ps", "-a", "-q", "--no-trunc") + "|" +
		strings.Join(layerDirs(e), ",")
}

func layerDirs(e *env) []string {
	var out []string
	for _, d := range []string{"overlay-layers", "vfs-layers"} {
		raw, err := os.ReadFile(filepath.Join(e.dir, "data", "burrow", "storage", d, "layers.json"))
		if err == nil {
			out = append(out, string(raw))
		}
	}
	return out
}

func TestBuildBadInput(t *testing.T) {
	e := busyboxEnv(t)
	cases := []struct {
		name, dockerfile, want string
		files                  map[string]string
		args                   []string
	}{
		{"unknown instruction", "FROM busybox\nRUN true\nFROB x\n", "line 3", nil, nil},
		{"missing source", "FROM busybox\nCOPY nothere /x\n", "nothere", nil, nil},
		{"outside the context", "FROM busybox\nCOPY ../etc/passwd /x\n", "outside the build context", nil, nil},
		{"no glob match", "FROM busybox\nCOPY *.none /x/\n", "*.none", nil, nil},
		{"missing target", "FROM busybox AS a\n", "target stage", nil, []string{"--target", "b"}},
		{"bad build arg", "FROM busybox\n", "--build-arg", nil, []string{"--build-arg", "=x"}},
		{"no base image", "FROM nosuchimage-here:1\nRUN true\n", "nosuchimage", nil, []string{"--pull", "never"}},
		{"failing RUN", "FROM busybox\nRUN echo before\nRUN exit 3\n", "exited with status 3", nil, nil},
		{"RUN on scratch", "FROM scratch\nRUN true\n", "scratch", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.storeState()
			files := map[string]string{"Dockerfile": c.dockerfile}
			for k, v := range c.files {
				files[k] = v
			}
			dir := buildContext(t, files)
			args := append(append([]string{"build", "-t", "bad"}, c.args...), dir)
			r := e.burrow(args...)
			if r.code == 0 || !strings.Contains(r.stderr, c.want) {
				t.Fatalf("want a failure naming %q: %s", c.want, r)
			}
			if strings.Contains(e.ok("images"), "bad") {
				t.Fatalf("a failed build tagged its image")
			}
			if ps := e.ok("ps", "-a", "-q"); ps != "" {
				t.Fatalf("a failed build left containers: %s", ps)
			}
			if c.name != "failing RUN" {
				if after := e.storeState(); after != before {
					t.Fatalf("a refused build changed the store:\nbefore %s\nafter  %s", before, after)
				}
			}
		})
	}
	if r := e.burrow("build", filepath.Join(e.dir, "no-such-context")); r.code != 125 || !strings.Contains(r.stderr, "build context") {
		t.Fatalf("missing context: %s", r)
	}
}

// TestBuildKilled: SIGKILL of a build during a RUN ends the step's
// container; the next command removes it, its mount and its layer, and
// the next build goes on from the cached steps.
func TestBuildKilled(t *testing.T) {
	e := busyboxEnv(t)
	marker := fmt.Sprintf("%d", 40000+os.Getpid()%20000)
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nCOPY f /f\nRUN sleep " + marker + "\n", "f": "x"})
	cmd := exec.Command(burrowBin, "build", "-t", "killed", dir)
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(30*time.Second, func() bool { return len(processesWith("sleep "+marker)) > 0 }) {
		_ = cmd.Process.Kill()
		t.Fatal("the RUN step never started")
	}
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if !waitFor(10*time.Second, func() bool { return len(processesWith("sleep "+marker)) == 0 }) {
		t.Fatalf("the RUN outlived the build: %v", processesWith("sleep "+marker))
	}
	e.ok("images") // repairs
	if ps := e.ok("ps", "-a", "-q"); ps != "" {
		t.Fatalf("the killed step's container is left: %s", ps)
	}
	if strings.Contains(e.holderMounts(t), "merged") {
		t.Errorf("a mount is left in the holder:\n%s", e.holderMounts(t))
	}
	if unused := unusedLayers(t, e); len(unused) > 0 {
		t.Errorf("layers no image or container uses: %v", unused)
	}
	if strings.Contains(e.ok("images"), "killed") {
		t.Fatal("the killed build tagged an image")
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM busybox\nCOPY f /f\nRUN cat /f\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.ok("build", "-t", "killed", dir)
	if strings.Count(out, "Using cache") != 1 {
		t.Fatalf("after the kill, want the COPY step from the cache:\n%s", out)
	}
}

// unusedLayers reads the store's own records: layers that no image or
// container stands on.
func unusedLayers(t *testing.T, e *env) []string {
	t.Helper()
	root := filepath.Join(e.dir, "data", "burrow", "storage")
	driver := ""
	for _, d := range []string{"overlay", "vfs"} {
		if _, err := os.Stat(filepath.Join(root, d+"-layers", "layers.json")); err == nil {
			driver = d
		}
	}
	if driver == "" {
		t.Fatal("no layers.json in the store")
	}
	var layers []struct{ ID, Parent string }
	var images []struct{ Layer string }
	var ctrs []struct{ Layer string }
	for file, v := range map[string]any{driver + "-layers/layers.json": &layers, driver + "-images/images.json": &images, driver + "-containers/containers.json": &ctrs} {
		raw, err := os.ReadFile(filepath.Join(root, file))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if len(raw) > 0 {
			if err := json.Unmarshal(raw, v); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
		}
	}
	parent := map[string]string{}
	for _, l := range layers {
		parent[l.ID] = l.Parent
	}
	used := map[string]bool{}
	mark := func(id string) {
		for ; id != "" && !used[id]; id = parent[id] {
			used[id] = true
		}
	}
	for _, i := range images {
		mark(i.Layer)
	}
	for _, c := range ctrs {
		mark(c.Layer)
	}
	var unused []string
	for _, l := range layers {
		if !used[l.ID] {
			unused = append(unused, l.ID)
		}
	}
	return unused
}
