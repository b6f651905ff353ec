package build

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
)

func commands(t *testing.T, file string) []instructions.Command {
	t.Helper()
	res, err := parser.Parse(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	stages, _, err := instructions.Parse(res.AST, nil)
	if err != nil {
		t.Fatal(err)
	}
	return stages[0].Commands
}

func TestApplyConfig(t *testing.T) {
	s := &stage{cfg: engine.StepConfig{}}
	s.cfg.Config.Cmd = []string{"inherited"}
	s.cfg.Config.Env = []string{"PATH=/bin", "A=0"}
	file := `FROM x
ENV A=1 B="two words"
WORKDIR /app
WORKDIR sub
USER 1000:1000
EXPOSE 80 53/udp
LABEL k=v
VOLUME /data
STOPSIGNAL SIGINT
SHELL ["/bin/ash", "-c"]
ENTRYPOINT echo hi
HEALTHCHECK --interval=5s CMD true
`
	var lines []string
	p := &Plan{lex: shell.NewLex('\\')}
	for _, c := range commands(t, file) {
		if x, ok := c.(instructions.SupportsSingleWordExpansion); ok {
			if err := x.Expand(func(w string) (string, error) { return p.expand(w, s.env()) }); err != nil {
				t.Fatal(err)
			}
		}
		line, ok, err := s.applyConfig(c)
		if err != nil || !ok {
			t.Fatalf("%v: ok %v err %v", c, ok, err)
		}
		lines = append(lines, line)
	}
	c := s.cfg.Config
	if !reflect.DeepEqual(c.Env, []string{"PATH=/bin", "A=1", "B=two words"}) {
		t.Errorf("Env %q", c.Env)
	}
	if c.WorkingDir != "/app/sub" || c.User != "1000:1000" || c.StopSignal != "SIGINT" || c.Labels["k"] != "v" {
		t.Errorf("WorkingDir %q User %q StopSignal %q Labels %v", c.WorkingDir, c.User, c.StopSignal, c.Labels)
	}
	if len(c.ExposedPorts) != 2 || len(c.Volumes) != 1 {
		t.Errorf("ExposedPorts %v Volumes %v", c.ExposedPorts, c.Volumes)
	}
	// The shell form runs through SHELL; an inherited CMD does not survive a new ENTRYPOINT.
	if !reflect.DeepEqual(c.Entrypoint, []string{"/bin/ash", "-c", "echo hi"}) || c.Cmd != nil {
		t.Errorf("Entrypoint %q Cmd %q", c.Entrypoint, c.Cmd)
	}
	if c.Healthcheck == nil || c.Healthcheck.Interval.Seconds() != 5 {
		t.Errorf("Healthcheck %+v", c.Healthcheck)
	}
	want := []string{`ENV A=1 B=two words`, "WORKDIR /app", "WORKDIR /app/sub", "USER 1000:1000", "EXPOSE 53/udp 80/tcp", "LABEL k=v",
		`VOLUME ["/data"]`, "STOPSIGNAL SIGINT", `SHELL ["/bin/ash","-c"]`, `ENTRYPOINT ["/bin/ash","-c","echo hi"]`, "HEALTHCHECK CMD-SHELL true"}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("history lines\n%q\nwant\n%q", lines, want)
	}
}

func TestApplyConfigErrors(t *testing.T) {
	s := &stage{}
	for _, c := range commands(t, "FROM x\nEXPOSE 80/icmp\n") {
		if _, _, err := s.applyConfig(c); err == nil {
			t.Errorf("%v: no error", c)
		}
	}
	// A layer step is not a config step.
	for _, c := range commands(t, "FROM x\nRUN true\nCOPY a b\n") {
		if _, ok, _ := s.applyConfig(c); ok {
			t.Errorf("%v taken as a config step", c)
		}
	}
}

func TestCacheKey(t *testing.T) {
	var cfg engine.StepConfig
	cfg.History = []engine.History{{CreatedBy: "RUN true"}}
	base := cacheKey("img", cfg, "")
	other := cloneConfig(cfg)
	other.History[0].CreatedBy = "RUN false"
	env := cloneConfig(cfg)
	env.Config.Env = []string{"A=1"}
	for name, k := range map[string]string{
		"parent": cacheKey("img2", cfg, ""), "instruction": cacheKey("img", other, ""),
		"config": cacheKey("img", env, ""), "content": cacheKey("img", cfg, "sum"),
	} {
		if k == base {
			t.Errorf("a change of %s keeps the key", name)
		}
	}
	if cacheKey("img", cloneConfig(cfg), "") != base {
		t.Error("the same step has another key")
	}
}

func TestParseChownChmod(t *testing.T) {
	for _, good := range []string{"", "1000:50", "7", "app", "app:staff", "1:staff"} {
		if v, err := checkChown(good); err != nil || v != good {
			t.Errorf("--chown=%s: %q %v", good, v, err)
		}
	}
	for _, bad := range []string{":1", "1:", "a b", "../x"} {
		if _, err := checkChown(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("--chown=%s: %v", bad, err)
		}
	}
	if m, err := parseChmod("0640"); err != nil || *m != 0o640 {
		t.Errorf("0640: %v %v", m, err)
	}
	for _, bad := range []string{"9", "u+x", "77777"} {
		if _, err := parseChmod(bad); err == nil {
			t.Errorf("--chmod=%s accepted", bad)
		}
	}
}

func TestParseBuildArg(t *testing.T) {
	env := func(k string) (string, bool) { return map[string]string{"FROM_ENV": "e"}[k], k == "FROM_ENV" }
	for _, c := range []struct {
		in, k, v string
		ok       bool
	}{{"A=1", "A", "1", true}, {"A=", "A", "", true}, {"A=b=c", "A", "b=c", true}, {"FROM_ENV", "FROM_ENV", "e", true}, {"UNSET", "UNSET", "", false}} {
		k, v, ok, err := ParseBuildArg(c.in, env)
		if err != nil || k != c.k || v != c.v || ok != c.ok {
			t.Errorf("%s: %q %q %v %v", c.in, k, v, ok, err)
		}
	}
	for _, bad := range []string{"=x", "", "A B=1"} {
		if _, _, _, err := ParseBuildArg(bad, env); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{"a.txt": "a", "b.txt": "b", "skip.txt": "s", ".dockerignore": "skip.txt\n", "sub/c": "c"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	prepare := func(file string, args map[string]string) (*Plan, error) {
		return Prepare(Options{ContextDir: dir, Dockerfile: []byte(file), DockerfileName: "Dockerfile", BuildArgs: args})
	}
	p, err := prepare("ARG V=1\nFROM busybox:$V AS one\nFROM one\nARG F=a\nCOPY ${F}.txt sub /x/\n", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := p.expand("busybox:$V", p.meta); got != "busybox:1" {
		t.Errorf("meta ARG: %q", got)
	}
	got, err := p.contextSources("COPY", []string{"*.txt", "/sub", "./a.txt"})
	if err != nil || !reflect.DeepEqual(got, []string{"a.txt", "b.txt", "sub", "a.txt"}) {
		t.Errorf("sources %q %v", got, err)
	}
	for file, want := range map[string]string{
		"FROM busybox\nBOGUS x\n":                         "line 2",
		"RUN true\n":                                      "build stage",
		"FROM busybox\nCOPY ../x /\n":                     "outside the build context",
		"FROM busybox\nCOPY skip.txt /\n":                 "skip.txt",
		"FROM busybox\nARG F=zz\nCOPY $F.txt /\n":         "zz.txt",
		"FROM busybox\nCOPY http://x/y /\n":               "ADD only",
		"FROM --platform=linux/s390x busybox\nRUN true\n": "cannot run its programs",
		"FROM --platform=linux/nosuch busybox\n":          "unknown architecture",
	} {
		if _, err := prepare(file, nil); err == nil || !strings.Contains(err.Error(), want) || !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want an invalid-argument error naming %q", file, err, want)
		}
	}
	if _, err := Prepare(Options{ContextDir: dir, Dockerfile: []byte("FROM a AS x\n"), Target: "y"}); err == nil {
		t.Error("a missing target passed")
	}
	if _, err := prepare("FROM busybox\nARG F\nCOPY $F.txt /\n", map[string]string{"F": "b"}); err != nil {
		t.Errorf("--build-arg in a COPY source: %v", err)
	}
	if _, err := prepare("FROM busybox\nADD http://127.0.0.1/y /\nCOPY <<EOF /z\nhi\nEOF\n", nil); err != nil {
		t.Errorf("ADD of a URL, COPY of a heredoc: %v", err)
	}
	if _, err := prepare("FROM --platform=$BUILDPLATFORM busybox\n", nil); err != nil {
		t.Errorf("FROM --platform=$BUILDPLATFORM: %v", err)
	}
}

// TestIgnoreFiles: the Dockerfile's own NAME.dockerignore wins over the
// context's .containerignore, which wins over .dockerignore.
func TestIgnoreFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".dockerignore", "a\n")
	check := func(dockerfile, ignored string) {
		t.Helper()
		pm, err := readIgnore(dir, dockerfile)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"a", "b", "c"} {
			skip, _ := pm.MatchesOrParentMatches(name)
			if skip != (name == ignored) {
				t.Errorf("%s ignored %v, want only %s", name, skip, ignored)
			}
		}
	}
	check("", "a")
	write(".containerignore", "b\n")
	check("", "b")
	write("Build.dockerignore", "c\n")
	check(filepath.Join(dir, "Build"), "c")
	check(filepath.Join(dir, "Dockerfile"), "b")
}

// TestIgnoredReinclude: an exception below an ignored directory brings
// its file back, so the directory is walked, not skipped whole.
func TestIgnoredReinclude(t *testing.T) {
	for _, c := range []struct {
		patterns string
		ignored  map[string]bool
	}{
		{"docs\n!docs/keep.md\n", map[string]bool{"docs": false, "docs/keep.md": false, "docs/other.md": true, "src": false}},
		{"docs\n", map[string]bool{"docs": true, "docs/keep.md": true, "src": false}},
		{"*\n!src/**/*.go\n", map[string]bool{"src": false, "src/a/b.go": false, "src/a/b.txt": true, "README": true}},
		{"**/*.log\n!keep/x.log\n", map[string]bool{"a.log": true, "keep/x.log": false, "keep/y.log": true, "keep": false}},
	} {
		pm, err := patternmatcher.New(strings.Split(strings.TrimSpace(c.patterns), "\n"))
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		for _, d := range []string{"docs", "src/a", "keep"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		p := &Plan{ignore: pm, opt: Options{ContextDir: dir}}
		for name, want := range c.ignored {
			if got := p.ignored(name); got != want {
				t.Errorf("%q: %s ignored %v, want %v", c.patterns, name, got, want)
			}
		}
	}
}

func TestCheckPlatform(t *testing.T) {
	binfmt := t.TempDir()
	host := "linux/" + runtime.GOARCH
	other, qemu := "linux/arm64", "aarch64"
	if runtime.GOARCH == "arm64" {
		other, qemu = "linux/amd64", "x86_64"
	}
	for _, v := range []string{"", host, strings.ToUpper(host)} {
		if got, err := checkPlatform(v, binfmt, true); err != nil || got != "" {
			t.Errorf("%q: %q %v, want the host's", v, got, err)
		}
	}
	for _, v := range []string{"linux", "windows/amd64", "linux//", other} {
		if _, err := checkPlatform(v, binfmt, true); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q passed without emulation: %v", v, err)
		}
	}
	if got, err := checkPlatform(other, binfmt, false); err != nil || got != other {
		t.Errorf("%q with no RUN: %q %v", other, got, err)
	}
	if err := os.WriteFile(filepath.Join(binfmt, "qemu-"+qemu), []byte("enabled\ninterpreter /usr/bin/qemu\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := checkPlatform(other, binfmt, true); err != nil || got != other {
		t.Errorf("%q with emulation: %q %v", other, got, err)
	}
}

func TestParseSecret(t *testing.T) {
	file := filepath.Join(t.TempDir(), "s")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("BURROW_TEST_SECRET", "v")
	for in, want := range map[string]Secret{
		"id=a,src=" + file:               {File: file},
		"id=a,env=BURROW_TEST_SECRET":    {Env: "BURROW_TEST_SECRET"},
		"id=BURROW_TEST_SECRET":          {Env: "BURROW_TEST_SECRET"},
		"id=" + file:                     {File: file},
		"type=file,id=a,source=" + file:  {File: file},
		"id=BURROW_TEST_SECRET,type=env": {Env: "BURROW_TEST_SECRET"},
	} {
		if _, got, err := ParseSecret(in); err != nil || got != want {
			t.Errorf("%q: %+v %v, want %+v", in, got, err, want)
		}
	}
	for _, in := range []string{"src=" + file, "id=a,src=/no/such/file", "id=a,type=ssh", "id=a,bogus=1"} {
		if _, _, err := ParseSecret(in); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want an invalid-argument error", in, err)
		}
	}
}

func TestParseTrigger(t *testing.T) {
	c, err := parseTrigger("RUN echo hi")
	if _, ok := c.(*instructions.RunCommand); err != nil || !ok {
		t.Fatalf("RUN trigger: %T %v", c, err)
	}
	for _, bad := range []string{"FROM busybox", "ONBUILD RUN x", "MAINTAINER me", "RUN a\nRUN b"} {
		if _, err := parseTrigger(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q: %v, want refused", bad, err)
		}
	}
}

func TestIsGitURL(t *testing.T) {
	for s, want := range map[string]bool{
		"git://example.com/r": true, "ssh://git@example.com/r": true, "git@github.com:o/r.git": true,
		"https://example.com/o/r.git": true, "https://example.com/o/r.git#main": true,
		"https://example.com/file.tar.gz": false, "src/app.git": false, "http://example.com/x": false,
	} {
		if got := isGitURL(s); got != want {
			t.Errorf("isGitURL(%q) = %v", s, got)
		}
	}
}
