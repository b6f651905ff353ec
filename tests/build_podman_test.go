package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// podman runs the host's podman as the test user, with its storage and
// configuration in the test's directory: overlay, runc (crun refuses
// hybrid cgroup hosts), cgroupfs and a file event log (no systemd here).
type podman struct {
	t    *testing.T
	vars []string
	run  string
}

func newPodman(t *testing.T, e *env) *podman {
	t.Helper()
	if _, err := exec.LookPath("podman"); err != nil {
		t.Skip("podman is not installed")
	}
	conf := filepath.Join(e.dir, "podman-config", "containers")
	if err := os.MkdirAll(conf, 0o700); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"storage.conf":    "[storage]\ndriver = \"overlay\"\n",
		"containers.conf": "[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(conf, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	run := filepath.Join(e.dir, "podman-run")
	if err := os.MkdirAll(run, 0o700); err != nil {
		t.Fatal(err)
	}
	p := &podman{t: t, run: run, vars: append(append([]string(nil), e.vars...),
		"XDG_CONFIG_HOME="+filepath.Dir(conf), "XDG_DATA_HOME="+filepath.Join(e.dir, "podman-data"))}
	// Podman's runtime directory is its own: burrow's holder is not its business.
	for i, v := range p.vars {
		if strings.HasPrefix(v, "XDG_RUNTIME_DIR=") {
			p.vars[i] = "XDG_RUNTIME_DIR=" + run
		}
	}
	t.Cleanup(p.destroy)
	if out, err := p.cmd("info", "--format", "{{.Host.OCIRuntime.Name}}").CombinedOutput(); err != nil {
		t.Skipf("podman does not run here: %v: %s", err, out)
	}
	return p
}

func (p *podman) cmd(args ...string) *exec.Cmd {
	cmd := exec.Command("podman", args...)
	cmd.Env = p.vars
	return cmd
}

func (p *podman) ok(args ...string) string {
	p.t.Helper()
	cmd := p.cmd(args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		p.t.Fatalf("podman %s: %v\n%s%s", strings.Join(args, " "), err, out, stderr.String())
	}
	return string(out)
}

// destroy removes podman's files (owned by subordinate IDs, so from
// inside its namespace) and its pause process, which ignores SIGTERM.
func (p *podman) destroy() {
	_ = p.cmd("system", "reset", "-f").Run()
	raw, err := os.ReadFile(filepath.Join(p.run, "libpod", "tmp", "pause.pid"))
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(raw))); err == nil && pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

// comparable is what must agree between burrow's image and podman's.
type comparable struct {
	Cmd, Entrypoint, Env []string
	WorkingDir, User     string
	ExposedPorts         map[string]struct{}
	Labels               map[string]string
	Volumes              map[string]struct{}
	StopSignal           string
	Healthcheck          *struct {
		Test                           []string
		Interval, Timeout, StartPeriod time.Duration
		Retries                        int
	}
	History []string
}

// digests in COPY and ADD history lines name content by each tool's own sum.
var copiedDigest = regexp.MustCompile(`(COPY|ADD) (file|dir|multi):[0-9a-f]+ in `)

func comparableOf(t *testing.T, raw string, baseHistory int) comparable {
	t.Helper()
	var images []struct {
		Config struct {
			comparable
		}
		Healthcheck *json.RawMessage // podman shows it beside Config
		History     []struct {
			CreatedBy string `json:"created_by"`
		}
	}
	if err := json.Unmarshal([]byte(raw), &images); err != nil || len(images) != 1 {
		t.Fatalf("inspect: %v\n%s", err, raw)
	}
	img := images[0]
	c := img.Config.comparable
	if c.Healthcheck == nil && img.Healthcheck != nil {
		if err := json.Unmarshal(*img.Healthcheck, &c.Healthcheck); err != nil {
			t.Fatal(err)
		}
	}
	delete(c.Labels, "io.buildah.version")
	for _, h := range img.History[baseHistory:] {
		c.History = append(c.History, copiedDigest.ReplaceAllString(h.CreatedBy, "$1 <content> in "))
	}
	return c
}

func historyLen(t *testing.T, raw string) int {
	var images []struct{ History []json.RawMessage }
	if err := json.Unmarshal([]byte(raw), &images); err != nil || len(images) != 1 {
		t.Fatalf("inspect: %v\n%s", err, raw)
	}
	return len(images[0].History)
}

const podmanCompared = `FROM localhost/busybox AS builder
ARG GREETING=hello
RUN mkdir -p /out && echo "$GREETING" > /out/greeting
FROM localhost/busybox
ARG V=1
COPY --from=builder /out/greeting /app/greeting
COPY --chmod=600 data/ /data/
ADD a.txt /texts/
ENV APP_MODE=test PATH=/app/bin:$PATH
RUN echo v$V > /v
WORKDIR /app
WORKDIR sub
EXPOSE 8080 53/udp
LABEL org.example.name=demo other="two words"
VOLUME ["/state", "/cache"]
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=5s --timeout=3s --start-period=1s --retries=2 CMD ["true"]
RUN echo shell > /shell
USER 1000:1000
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /app/greeting"]
`

// TestBuildConfigMatchesPodman builds one Dockerfile with burrow and with
// podman (buildah inside), docker's format, and compares the fields a
// container's behaviour depends on, and the history lines.
func TestBuildConfigMatchesPodman(t *testing.T) {
	e := busyboxEnv(t)
	p := newPodman(t, e)
	tarPath := filepath.Join(e.dir, "podman-busybox.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	// A base without PATH: both builders give the build docker's default one.
	p.ok("import", "-q", "--change", `CMD ["/bin/sh"]`, tarPath, "localhost/busybox")
	e.ok("import", "-q", "--change", `CMD ["/bin/sh"]`, tarPath, "localhost/busybox")
	dir := buildContext(t, map[string]string{"Dockerfile": podmanCompared, "data/x": "x", "a.txt": "a"})
	e.ok("build", "-q", "-t", "compared", dir)
	p.ok("build", "-q", "--format", "docker", "--network", "none", "-t", "compared", dir)
	ours := comparableOf(t, e.ok("image", "inspect", "compared"), historyLen(t, e.ok("image", "inspect", "localhost/busybox")))
	theirs := comparableOf(t, p.ok("image", "inspect", "compared"), historyLen(t, p.ok("image", "inspect", "localhost/busybox")))
	a, b := reflect.ValueOf(ours), reflect.ValueOf(theirs)
	for i := 0; i < a.NumField(); i++ {
		if !reflect.DeepEqual(a.Field(i).Interface(), b.Field(i).Interface()) {
			ja, _ := json.MarshalIndent(a.Field(i).Interface(), "", " ")
			jb, _ := json.MarshalIndent(b.Field(i).Interface(), "", " ")
			t.Errorf("%s differs:\nburrow: %s\npodman: %s", a.Type().Field(i).Name, ja, jb)
		}
	}
	if len(ours.History) < 15 || ours.Healthcheck == nil || len(ours.Volumes) != 2 {
		t.Fatalf("the comparison saw too little: %+v", ours)
	}
}
