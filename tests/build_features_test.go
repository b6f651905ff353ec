package tests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildRunMounts: a cache mount outlives the step and the build, a
// bind mount shows context or stage files to one RUN, --network=none
// leaves the RUN loopback only, and no mount leaves anything in a layer.
func TestBuildRunMounts(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile": `FROM busybox AS tools
RUN mkdir /tools && echo from-stage > /tools/t
FROM busybox
RUN --mount=type=cache,target=/var/cache/app echo run >> /var/cache/app/log && wc -l < /var/cache/app/log > /runs
RUN --mount=type=bind,source=data,target=/mnt/data cat /mnt/data/f > /bound
RUN --mount=type=bind,from=tools,source=/tools,target=/mnt/tools cat /mnt/tools/t > /staged
RUN --network=none ip -o link | wc -l > /links
RUN --mount=type=tmpfs,target=/scratch/tmp,size=1m echo gone > /scratch/tmp/f && df /scratch/tmp | grep -c tmpfs > /tmpfs
CMD ["sh", "-c", "cat /runs /bound /staged /links /tmpfs; ls /mnt /var/cache /scratch 2>&1; ls -d /var/cache/app 2>&1; true"]
`, "data/f": "from-context",
	})
	e.ok("build", "-q", "-t", "mounts", dir)
	got := e.ok("run", "--rm", "--network", "none", "mounts")
	want := "1\nfrom-contextfrom-stage\n1\n1\n"
	if !strings.HasPrefix(got, want) {
		t.Fatalf("in the image:\n%s\nwant it to start with:\n%s", got, want)
	}
	if strings.Contains(got, "data") || strings.Contains(got, "tools") || !strings.Contains(got, "ls: /var/cache/app: No such file") || !strings.Contains(got, "ls: /scratch: No such file") {
		t.Errorf("a mount point is left in the image:\n%s", got)
	}
	// --no-cache runs the step again: the cache directory kept the first line.
	e.ok("build", "-q", "--no-cache", "-t", "mounts", dir)
	if got := e.ok("run", "--rm", "--network", "none", "mounts", "cat", "/runs"); got != "2\n" {
		t.Fatalf("the cache mount did not keep its content: runs=%q", got)
	}
	// A changed bound file is a new step; unchanged, the step is cached.
	out := e.ok("build", "-t", "mounts", dir)
	if strings.Count(out, "Using cache") != 7 {
		t.Fatalf("an unchanged rebuild ran a step:\n%s", out)
	}
	if err := os.WriteFile(filepath.Join(dir, "data/f"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	out = e.ok("build", "-t", "mounts", dir)
	if strings.Count(out, "Using cache") != 2 || !strings.Contains(out, "STEP 3/7: RUN --mount=type=bind,source=data,target=/mnt/data cat /mnt/data/f > /bound\n--> ") {
		t.Fatalf("a change to a bound file did not rebuild from that step:\n%s", out)
	}
	for _, c := range []struct{ file, want string }{
		{"FROM busybox\nRUN --mount=type=bind,source=../x,target=/x true\n", "outside the build context"},
		{"FROM busybox\nRUN --mount=type=bind,source=data,target=/x,rw true\n", "rw"},
		{"FROM busybox\nRUN --mount=type=ssh true\n", "ssh"},
		{"FROM busybox\nRUN --network=bogus true\n", "network"},
		{"FROM busybox\nRUN --mount=type=secret,id=nope,required true\n", "nope"},
	} {
		before := e.storeState()
		bad := buildContext(t, map[string]string{"Dockerfile": c.file, "data/f": "x"})
		if r := e.burrow("build", "-t", "bad", bad); r.code != 125 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: want exit 125 naming %q: %s", c.file, c.want, r)
		}
		if after := e.storeState(); after != before {
			t.Errorf("%q: a refused build changed the store", c.file)
		}
	}
}

// TestBuildSecret: a secret reaches the RUN that mounts it, as a file and
// as a variable, and is in no layer, no history line and nowhere in the
// store afterwards.
func TestBuildSecret(t *testing.T) {
	e := busyboxEnv(t)
	value := fmt.Sprintf("s3cr3t-%d-%d", os.Getpid(), time.Now().UnixNano())
	secretFile := filepath.Join(e.dir, "token")
	if err := os.WriteFile(secretFile, []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := buildContext(t, map[string]string{"Dockerfile": `FROM busybox
RUN --mount=type=secret,id=tok grep -q ^s3cr3t- /run/secrets/tok && test "$(wc -c < /run/secrets/tok)" = ` + fmt.Sprint(len(value)) + ` && echo file-ok
RUN --mount=type=secret,id=tok,env=TOKEN,target=/etc/tok.txt test "$TOKEN" = "$(cat /etc/tok.txt)" && test -n "$TOKEN" && echo env-ok
RUN --mount=type=secret,id=absent ls /run/secrets 2>&1; true
`})
	out := e.ok("build", "-t", "secret", "--secret", "id=tok,src="+secretFile, dir)
	if !strings.Contains(out, "file-ok") || !strings.Contains(out, "env-ok") {
		t.Fatalf("the RUN did not see the secret:\n%s", out)
	}
	if strings.Contains(out, value) {
		t.Errorf("the build printed the secret:\n%s", out)
	}
	if got := e.ok("run", "--rm", "--network", "none", "secret", "sh", "-c", "ls /run /etc/tok.txt 2>&1; env"); strings.Contains(got, "secrets") || !strings.Contains(got, "No such file") || strings.Contains(got, "TOKEN") {
		t.Errorf("a secret's mount point or variable is in the image:\n%s", got)
	}
	if raw := e.ok("image", "inspect", "secret"); strings.Contains(raw, value) {
		t.Errorf("the secret is in the image's config or history:\n%s", raw)
	}
	archive := filepath.Join(e.dir, "secret.tar")
	e.ok("save", "-o", archive, "secret")
	if raw, err := os.ReadFile(archive); err != nil || bytes.Contains(raw, []byte(value)) {
		t.Fatalf("the saved image holds the secret (or cannot be read: %v)", err)
	}
	// Nowhere in burrow's data (layers, cache, temporary files) either.
	if held := filesHolding(e, value); len(held) > 0 {
		t.Errorf("the secret is in %v", held)
	}
	if r := e.burrow("build", "--secret", "id=x,src="+filepath.Join(e.dir, "none"), dir); r.code != 125 || !strings.Contains(r.stderr, "--secret") {
		t.Errorf("a missing secret file: %s", r)
	}
}

// TestBuildHeredoc: RUN's heredoc forms (the body as the command, a
// script with #!, a heredoc the shell reads) and COPY's.
func TestBuildHeredoc(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{"Dockerfile": `FROM busybox
ARG WHO=heredoc
RUN <<EOF
echo first > /one
echo second >> /one
EOF
RUN <<EOT
#!/bin/sh -e
echo "script as $(id -u)" > /two
EOT
RUN cat > /three <<EOF
hello $WHO
EOF
COPY <<EOF /etc/greeting
copied $WHO
EOF
CMD ["sh", "-c", "cat /one /two /three /etc/greeting; ls /dev/pipes 2>&1; true"]
`})
	e.ok("build", "-q", "-t", "heredoc", dir)
	got := e.ok("run", "--rm", "--network", "none", "heredoc")
	want := "first\nsecond\nscript as 0\nhello heredoc\ncopied heredoc\nls: /dev/pipes: No such file or directory\n"
	if got != want {
		t.Fatalf("heredocs built:\n%s\nwant:\n%s", got, want)
	}
	out := e.ok("build", "-t", "heredoc", dir)
	if strings.Count(out, "Using cache") != 5 {
		t.Fatalf("an unchanged heredoc build ran a step:\n%s", out)
	}
}

// TestBuildAdd: ADD extracts a local archive, downloads a URL (from a
// server on 127.0.0.1) and checks --checksum.
func TestBuildAdd(t *testing.T) {
	e := busyboxEnv(t)
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	// Owners, set-ID and sticky bits stay as packed.
	for _, f := range []struct {
		name, body string
		mode       int64
		owner      int
	}{{"pkg/", "", 0o1777, 0}, {"pkg/a.txt", "from-tar-a", 0o644, 1000}, {"pkg/sub/b.txt", "from-tar-b", 0o4755, 0}} {
		h := &tar.Header{Name: f.name, Mode: f.mode, Size: int64(len(f.body)), Typeflag: tar.TypeReg, ModTime: time.Unix(1e9, 0), Uid: f.owner, Gid: f.owner}
		if strings.HasSuffix(f.name, "/") {
			h.Typeflag = tar.TypeDir
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	gz.Close()
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.URL.Path != "/files/tool.sh" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT")
		fmt.Fprint(w, "downloaded-body")
	}))
	defer srv.Close()
	dir := buildContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nADD pkg.tar.gz /opt/\nADD " + srv.URL + "/files/tool.sh /usr/local/bin/\nADD " + srv.URL + "/files/tool.sh /renamed\n" +
			"CMD [\"sh\", \"-c\", \"cat /opt/pkg/a.txt /opt/pkg/sub/b.txt; echo; cat /usr/local/bin/tool.sh; echo; stat -c '%a %Y' /renamed; ls /opt; stat -c '%a %u:%g' /opt/pkg /opt/pkg/a.txt /opt/pkg/sub/b.txt\"]\n",
		"pkg.tar.gz": buf.String(),
	})
	e.ok("build", "-q", "-t", "add", dir)
	got := e.ok("run", "--rm", "--network", "none", "add")
	want := "from-tar-afrom-tar-b\ndownloaded-body\n600 1445412480\npkg\n1777 0:0\n644 1000:1000\n4755 0:0\n"
	if got != want {
		t.Fatalf("ADD made:\n%s\nwant:\n%s", got, want)
	}
	// The URL is fetched again on a rebuild, and an unchanged body hits the cache.
	before := hits
	if out := e.ok("build", "-t", "add", dir); strings.Count(out, "Using cache") != 4 || hits == before {
		t.Fatalf("rebuild (downloads %d): want the URL fetched and every step cached:\n%s", hits-before, out)
	}
	for _, c := range []struct{ line, want string }{
		{"ADD --checksum=sha256:0000 " + srv.URL + "/files/tool.sh /x", "checksum"},
		{"ADD " + srv.URL + "/missing /x", "404"},
		{"COPY " + srv.URL + "/files/tool.sh /x", "ADD only"},
	} {
		bad := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\n" + c.line + "\n"})
		if r := e.burrow("build", "-t", "bad", bad); r.code == 0 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: want a failure naming %q: %s", c.line, c.want, r)
		}
	}
	if strings.Contains(e.ok("images"), "bad") {
		t.Error("a failed ADD tagged its image")
	}
}

// TestBuildContextOnStdin: "-" reads the context as a tar, its Dockerfile
// inside.
func TestBuildContextOnStdin(t *testing.T) {
	e := busyboxEnv(t)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range map[string]string{"Dockerfile": "FROM busybox\nCOPY f /f\nCMD [\"cat\", \"/f\"]\n", "alt.df": "FROM busybox\nCOPY f /g\nCMD [\"cat\", \"/g\"]\n", "f": "from-tar"} {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		_, _ = tw.Write([]byte(body))
	}
	tw.Close()
	for _, args := range [][]string{{"build", "-q", "-t", "stdin-ctx", "-"}, {"build", "-q", "-t", "stdin-ctx", "-f", "alt.df", "-"}} {
		r, err := e.exec(buf.String(), args...)
		if err != nil || r.code != 0 {
			t.Fatalf("%v: %v %s", args, err, r)
		}
		if got := e.ok("run", "--rm", "--network", "none", "stdin-ctx"); got != "from-tar" {
			t.Fatalf("%v: run printed %q", args, got)
		}
	}
	if r, _ := e.exec("not a tar", "build", "-t", "x", "-"); r.code != 125 || !strings.Contains(r.stderr, "stdin") {
		t.Errorf("a context on stdin that is not a tar: %s", r)
	}
	if r, _ := e.exec("", "build", "-f", "-", "-"); r.code != 125 || !strings.Contains(r.stderr, "both") {
		t.Errorf("-f - with a context on stdin: %s", r)
	}
	if tmp, _ := os.ReadDir(filepath.Join(e.dir, "data", "burrow", "tmp")); len(tmp) > 0 {
		t.Errorf("the context's files are left: %v", tmp)
	}
}

// TestBuildOnBuild: ONBUILD is kept in the image and runs in a build
// FROM it, whose own image does not keep it.
func TestBuildOnBuild(t *testing.T) {
	e := busyboxEnv(t)
	base := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nONBUILD COPY app.txt /app.txt\nONBUILD RUN echo triggered > /triggered\n"})
	e.ok("build", "-q", "-t", "onbuild-base", base)
	if got := onBuildOf(t, e, "onbuild-base"); len(got) != 2 || got[0] != "COPY app.txt /app.txt" {
		t.Fatalf("base OnBuild %q", got)
	}
	child := buildContext(t, map[string]string{"Dockerfile": "FROM onbuild-base\nCMD [\"cat\", \"/app.txt\", \"/triggered\"]\n", "app.txt": "child-file\n"})
	out := e.ok("build", "-t", "onbuild-child", child)
	if !strings.Contains(out, "ONBUILD trigger") {
		t.Errorf("no trigger shown:\n%s", out)
	}
	if got := e.ok("run", "--rm", "--network", "none", "onbuild-child"); got != "child-file\ntriggered\n" {
		t.Fatalf("child ran %q", got)
	}
	if got := onBuildOf(t, e, "onbuild-child"); len(got) != 0 {
		t.Errorf("the child kept the triggers: %q", got)
	}
	// A trigger's COPY of a missing file fails the child build clearly.
	if r := e.burrow("build", "-t", "orphan", buildContext(t, map[string]string{"Dockerfile": "FROM onbuild-base\n"})); r.code == 0 || !strings.Contains(r.stderr, "app.txt") {
		t.Errorf("a trigger's missing source: %s", r)
	}
}

func onBuildOf(t *testing.T, e *env, ref string) []string {
	t.Helper()
	var out []struct{ Config struct{ OnBuild []string } }
	if err := json.Unmarshal([]byte(e.ok("image", "inspect", ref)), &out); err != nil || len(out) != 1 {
		t.Fatalf("inspect %s: %v", ref, err)
	}
	return out[0].Config.OnBuild
}

// TestBuildPlatformAndProxy: a platform that is not the host's is refused
// before anything exists (there is no qemu-user here), the host's is
// accepted; the proxy build arguments reach RUN without an ARG and stay
// out of the history.
func TestBuildPlatformAndProxy(t *testing.T) {
	e := busyboxEnv(t)
	other := "linux/s390x"
	if _, err := os.Stat("/proc/sys/fs/binfmt_misc/qemu-s390x"); err == nil {
		t.Skip("this host can emulate s390x")
	}
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN echo \"proxy=$HTTP_PROXY\" > /p\n"})
	before := e.storeState()
	for _, args := range [][]string{{"--platform", other}, {"--platform", "windows/amd64"}} {
		r := e.burrow(append(append([]string{"build", "-t", "plat"}, args...), dir)...)
		if r.code != 125 || !strings.Contains(r.stderr, "platform") {
			t.Errorf("%v: %s", args, r)
		}
	}
	fromPlat := buildContext(t, map[string]string{"Dockerfile": "FROM --platform=" + other + " busybox\nRUN true\n"})
	if r := e.burrow("build", "-t", "plat", fromPlat); r.code != 125 || !strings.Contains(r.stderr, "qemu") {
		t.Errorf("FROM --platform: %s", r)
	}
	if after := e.storeState(); after != before {
		t.Error("a refused platform changed the store")
	}
	e.ok("build", "-q", "-t", "plat", "--platform", "linux/"+hostArch(t), "--build-arg", "HTTP_PROXY=http://proxy.example:3128", dir)
	if got := e.ok("run", "--rm", "--network", "none", "plat", "cat", "/p"); got != "proxy=http://proxy.example:3128\n" {
		t.Errorf("RUN saw %q", got)
	}
	if raw := e.ok("image", "inspect", "plat"); strings.Contains(raw, "proxy.example") {
		t.Errorf("the proxy is in the image's config or history:\n%s", raw)
	}
}

func hostArch(t *testing.T) string {
	out, err := exec.Command("uname", "-m").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// TestBuildOffStartPath: buildkit's parser is not in burrow itself, whose
// every command would pay for its package initialisation; burrow hands
// build over to burrow-build beside it, and says so when that is missing.
func TestBuildOffStartPath(t *testing.T) {
	cmd := exec.Command(burrowBin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "init ") {
		t.Fatalf("burrow --version with inittrace: %v\n%s", err, out)
	}
	for _, pkg := range []string{"moby/buildkit", "moby/patternmatcher", "burrow/burrow/build "} {
		if strings.Contains(string(out), pkg) {
			t.Errorf("burrow --version initialises %s:\n%s", pkg, out)
		}
	}
	// Handed over with the global flags and stdin: -f - reads the file.
	e := busyboxEnv(t)
	r, err := e.exec("FROM busybox\nRUN echo handed-over\n", "--storage-driver", storageDriverOf(t, e), "build", "-f", "-", buildContext(t, nil))
	if err != nil || r.code != 0 || !strings.Contains(r.stdout, "handed-over") {
		t.Fatalf("build through burrow-build: %v %s", err, r)
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(burrowBin)
	if err != nil {
		t.Fatal(err)
	}
	alone := filepath.Join(dir, "burrow")
	if err := os.WriteFile(alone, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(alone, "build", dir)
	cmd.Env = append(e.vars[:len(e.vars):len(e.vars)], "PATH=/usr/bin:/bin")
	out, _ = cmd.CombinedOutput()
	if cmd.ProcessState.ExitCode() != 125 || !strings.Contains(string(out), "burrow-build") {
		t.Fatalf("burrow build without burrow-build: exit %d: %s", cmd.ProcessState.ExitCode(), out)
	}
}

// storageDriverOf is the driver the env's store uses.
func storageDriverOf(t *testing.T, e *env) string {
	t.Helper()
	for _, d := range []string{"overlay", "vfs"} {
		if _, err := os.Stat(filepath.Join(e.dir, "data", "burrow", "storage", d+"-layers")); err == nil {
			return d
		}
	}
	t.Fatal("no layers directory in the store")
	return ""
}

// TestBuildKilledWithSecret: a build killed while a RUN has a secret
// mounted leaves the secret nowhere once the next command has run.
func TestBuildKilledWithSecret(t *testing.T) {
	e := busyboxEnv(t)
	value := fmt.Sprintf("killed-secret-%d", time.Now().UnixNano())
	secretFile := filepath.Join(e.dir, "token")
	if err := os.WriteFile(secretFile, []byte(value), 0o600); err != nil {
		t.Fatal(err)
	}
	marker := fmt.Sprintf("%d", 40000+(os.Getpid()+7)%20000)
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null && sleep " + marker + "\n"})
	cmd := exec.Command(filepath.Join(filepath.Dir(burrowBin), "burrow-build"), "build", "--secret", "id=tok,src="+secretFile, "-t", "killed", dir)
	cmd.Env = e.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if !waitFor(30*time.Second, func() bool { return len(processesWith("sleep "+marker)) > 0 }) {
		_ = cmd.Process.Kill()
		t.Fatal("the RUN step never started")
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	if !waitFor(10*time.Second, func() bool { return len(processesWith("sleep "+marker)) == 0 }) {
		t.Fatalf("the RUN outlived the build")
	}
	// The killed build's private copy is still there: the check below sees it.
	if held := filesHolding(e, value); len(held) == 0 {
		t.Fatal("no copy of the secret after the kill: the check cannot see one")
	}
	e.ok("images") // repairs
	if ps := e.ok("ps", "-a", "-q"); ps != "" {
		t.Fatalf("the killed step's container is left: %s", ps)
	}
	if held := filesHolding(e, value); len(held) > 0 {
		t.Errorf("after the next command, the secret is in %v", held)
	}
}

// filesHolding lists the files under burrow's data directory that hold s.
func filesHolding(e *env, s string) []string {
	var out []string
	_ = filepath.WalkDir(filepath.Join(e.dir, "data", "burrow"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return nil
		}
		if raw, err := os.ReadFile(p); err == nil && bytes.Contains(raw, []byte(s)) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestBuildCopyKeepsSpecialBits: COPY keeps set-user-ID and set-group-ID
// bits, as docker's and podman's builders do; --chmod replaces them.
func TestBuildCopyKeepsSpecialBits(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile": "FROM busybox\nCOPY tool gtool /bin2/\nCOPY --chmod=755 tool /plain\nCMD [\"stat\", \"-c\", \"%a\", \"/bin2/tool\", \"/bin2/gtool\", \"/plain\"]\n",
		"tool":       "#!/bin/sh\n", "gtool": "#!/bin/sh\n",
	})
	for name, mode := range map[string]os.FileMode{"tool": 0o755 | os.ModeSetuid, "gtool": 0o755 | os.ModeSetgid} {
		if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
			t.Fatal(err)
		}
	}
	e.ok("build", "-q", "-t", "special", dir)
	if got := e.ok("run", "--rm", "--network", "none", "special"); got != "4755\n2755\n755\n" {
		t.Fatalf("modes in the image: %q, want 4755, 2755, 755", got)
	}
}
