package tests

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestBuildChownByName: COPY --chown takes user and group names, looked
// up in the stage's own /etc/passwd and /etc/group (a symlink there
// resolves inside the image), numbers and both mixed; an unknown user
// fails naming it and leaves the store as it was.
func TestBuildChownByName(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{
		"Dockerfile": `FROM busybox AS owners
RUN echo 'app:x:1234:2345::/home/app:/bin/sh' >> /etc/passwd && echo 'crew:x:3456:' >> /etc/group
COPY --chown=app f /byname
COPY --chown=app:crew f /bothnames
COPY --chown=1234:crew f /mixed1
COPY --chown=app:77 f /mixed2
COPY --chown=55 f /numeric
COPY --chown=66:88 f /numbers
ADD --chown=app:crew f /added
FROM busybox
RUN echo 'far:x:4321:4322::/:/bin/sh' > /etc/real-passwd && rm /etc/passwd && ln -s /../../../../../../../../etc/real-passwd /etc/passwd
COPY --chown=far f /linked
CMD ["stat", "-c", "%n %u %g", "/linked"]
`, "f": "x",
	})
	e.ok("build", "-q", "--target", "owners", "-t", "owners", dir)
	got := e.ok("run", "--rm", "owners", "stat", "-c", "%n %u %g", "/byname", "/bothnames", "/mixed1", "/mixed2", "/numeric", "/numbers", "/added")
	want := "/byname 1234 2345\n/bothnames 1234 3456\n/mixed1 1234 3456\n/mixed2 1234 77\n/numeric 55 55\n/numbers 66 88\n/added 1234 3456\n"
	if got != want {
		t.Fatalf("owners:\n%s\nwant:\n%s", got, want)
	}
	e.ok("build", "-q", "-t", "linked", dir)
	if got := e.ok("run", "--rm", "linked"); got != "/linked 4321 4322\n" {
		t.Fatalf("an absolute /etc/passwd symlink was not resolved inside the image: %q", got)
	}
	for _, c := range []struct{ chown, want string }{
		{"ghost", `no user "ghost"`}, {"root:nogroup-here", `no group "nogroup-here"`}, {"ghost:0", `no user "ghost"`},
	} {
		bad := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nCOPY --chown=" + c.chown + " f /f\n", "f": "x"})
		before := e.storeState()
		r := e.burrow("build", "-t", "bad", bad)
		if r.code != 125 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("--chown=%s: want exit 125 naming %s: %s", c.chown, c.want, r)
		}
		if e.storeState() != before {
			t.Errorf("--chown=%s: a failed build changed the store", c.chown)
		}
	}
}

// cacheMountDir is where burrow keeps the RUN --mount=type=cache of id.
func cacheMountDir(e *env, id string) string {
	sum := sha256.Sum256([]byte(id))
	return filepath.Join(e.dir, "data", "burrow", "build-cache", hex.EncodeToString(sum[:16]))
}

// buildAsync starts a build of a one-RUN Dockerfile and returns a
// channel that gets its result.
func buildAsync(t *testing.T, e *env, run string) <-chan result {
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM busybox\nRUN " + run + "\n"})
	ch := make(chan result, 1)
	go func() {
		r, err := e.exec("", "build", "-q", "--no-cache", dir)
		if err != nil {
			r.stderr += err.Error()
			r.code = -1
		}
		ch <- r
	}()
	return ch
}

// waitFile waits until a RUN has made name (it holds its cache then).
func waitFile(t *testing.T, name string) {
	t.Helper()
	if !waitFor(90*time.Second, func() bool { _, err := os.Stat(name); return err == nil }) {
		t.Fatalf("%s never appeared", name)
	}
}

func mustBuild(t *testing.T, ch <-chan result) string {
	t.Helper()
	r := <-ch
	if r.code != 0 {
		t.Fatalf("build: %s", r)
	}
	return strings.TrimSpace(r.stdout)
}

// TestBuildCacheSharing: sharing=locked runs one build at a time on a
// cache, sharing=private gets a fresh directory while the cache is held
// (and leaves the cache as it was), shared lets builds in together.
func TestBuildCacheSharing(t *testing.T) {
	e := busyboxEnv(t)
	dir := cacheMountDir(e, "lk")
	step := func(mode, n string) string {
		return "--mount=type=cache,id=lk,target=/c,sharing=" + mode + " echo start-" + n + " >> /c/log && touch /c/in-" + n + " && sleep 3 && echo end-" + n + " >> /c/log"
	}
	a := buildAsync(t, e, step("locked", "a"))
	waitFile(t, filepath.Join(dir, "in-a"))
	b := buildAsync(t, e, step("locked", "b"))
	mustBuild(t, a)
	mustBuild(t, b)
	log, err := os.ReadFile(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	if string(log) != "start-a\nend-a\nstart-b\nend-b\n" {
		t.Fatalf("sharing=locked let two builds in at once:\n%s", log)
	}
	// private, while another build holds the cache: an empty stand-in.
	a = buildAsync(t, e, step("locked", "c"))
	waitFile(t, filepath.Join(dir, "in-c"))
	p := buildAsync(t, e, "--mount=type=cache,id=lk,target=/c,sharing=private ls /c > /seen; echo private >> /c/log")
	id := mustBuild(t, p)
	if seen := e.ok("run", "--rm", id, "cat", "/seen"); seen != "" {
		t.Errorf("sharing=private saw the cache another build holds: %q", seen)
	}
	mustBuild(t, a)
	if log, _ := os.ReadFile(filepath.Join(dir, "log")); strings.Contains(string(log), "private") {
		t.Errorf("a private stand-in wrote to the cache:\n%s", log)
	}
	// private, with the cache free: the cache itself.
	id = mustBuild(t, buildAsync(t, e, "--mount=type=cache,id=lk,target=/c,sharing=private cat /c/log > /seen"))
	if seen := e.ok("run", "--rm", id, "cat", "/seen"); !strings.HasPrefix(seen, "start-a\n") {
		t.Errorf("sharing=private did not get the free cache: %q", seen)
	}
	// shared (the default): two builds in at once.
	a = buildAsync(t, e, "--mount=type=cache,id=sh,target=/c touch /c/in-a && sleep 4 && ls /c > /seen")
	waitFile(t, filepath.Join(cacheMountDir(e, "sh"), "in-a"))
	b = buildAsync(t, e, "--mount=type=cache,id=sh,target=/c,sharing=shared touch /c/in-b")
	mustBuild(t, b)
	id = mustBuild(t, a)
	if seen := e.ok("run", "--rm", id, "cat", "/seen"); seen != "in-a\nin-b\n" {
		t.Errorf("sharing=shared: the second build did not run beside the first: %q", seen)
	}
	// One cache mounted twice by a step, locked, does not wait on itself.
	twice := buildAsync(t, e, "--mount=type=cache,id=lk,target=/a,sharing=locked --mount=type=cache,id=lk,target=/b,sharing=locked test -f /a/log -a -f /b/log")
	select {
	case r := <-twice:
		if r.code != 0 {
			t.Errorf("a cache mounted twice: %s", r)
		}
	case <-time.After(90 * time.Second):
		t.Fatal("a step that mounts one locked cache twice waits on itself")
	}
}

// TestBuilderPrune: builder prune removes the cache mount directories no
// build holds, and leaves the one a running build uses.
func TestBuilderPrune(t *testing.T) {
	e := busyboxEnv(t)
	mustBuild(t, buildAsync(t, e, "--mount=type=cache,id=idle,target=/c dd if=/dev/zero of=/c/blob bs=1k count=300"))
	idle, held := cacheMountDir(e, "idle"), cacheMountDir(e, "held")
	waitFile(t, filepath.Join(idle, "blob"))
	a := buildAsync(t, e, "--mount=type=cache,id=held,target=/c touch /c/in && sleep 4")
	waitFile(t, filepath.Join(held, "in"))
	out := e.ok("builder", "prune", "-f")
	if !strings.Contains(out, "Total reclaimed space: 307") {
		t.Errorf("builder prune: %q", out)
	}
	if _, err := os.Stat(idle); err == nil {
		t.Error("builder prune left an unused cache")
	}
	if _, err := os.Stat(filepath.Join(held, "in")); err != nil {
		t.Errorf("builder prune removed a cache a build holds: %v", err)
	}
	mustBuild(t, a)
	e.ok("builder", "prune")
	if _, err := os.Stat(held); err == nil {
		t.Error("builder prune left a cache no longer held")
	}
	// The cache comes back empty for the next build.
	id := mustBuild(t, buildAsync(t, e, "--mount=type=cache,id=idle,target=/c ls /c > /seen"))
	if seen := e.ok("run", "--rm", id, "cat", "/seen"); seen != "" {
		t.Errorf("after prune the cache is not empty: %q", seen)
	}
}

// TestBuildNoLayers: --layers=false keeps no step image (no cache, not
// even for an earlier stage) and gives the result one new layer on its
// base, deletions included; --layers (the default) caches again.
func TestBuildNoLayers(t *testing.T) {
	e := busyboxEnv(t)
	dir := buildContext(t, map[string]string{"Dockerfile": `FROM busybox AS tool
RUN echo tool > /tool
FROM busybox
COPY --from=tool /tool /tool
RUN echo one > /one && rm /etc/group
RUN echo two > /two && rm /one
ENV X=1
CMD ["sh", "-c", "cat /tool /two; ls /one /etc/group 2>&1; echo $X"]
`})
	layersBefore := layerCount(t, e)
	base := inspectRootFS(t, e, busyboxImage)
	// The second build runs every step again; the first's image stays,
	// untagged, as docker and podman leave it.
	for i := range 2 {
		out := e.ok("build", "--layers=false", "-t", "flat", dir)
		if strings.Contains(out, "Using cache") {
			t.Fatalf("--layers=false used the cache:\n%s", out)
		}
		if n := layerCount(t, e); n != layersBefore+i+1 {
			t.Errorf("build %d with --layers=false: %d new layers in the store, want %d", i+1, n-layersBefore, i+1)
		}
	}
	got := inspectRootFS(t, e, "flat")
	if len(got.RootFS.DiffIDs) != len(base.RootFS.DiffIDs)+1 {
		t.Errorf("layers: %d, want the base's %d and one", len(got.RootFS.DiffIDs), len(base.RootFS.DiffIDs))
	}
	nonEmpty := 0
	for _, h := range got.History {
		if !h.EmptyLayer {
			nonEmpty++
		}
	}
	if nonEmpty != len(got.RootFS.DiffIDs) || len(got.History) != len(base.History)+5 {
		t.Errorf("history does not pair with the layers: %d lines, %d with a layer, %d layers", len(got.History), nonEmpty, len(got.RootFS.DiffIDs))
	}
	want := "tool\ntwo\nls: /one: No such file or directory\nls: /etc/group: No such file or directory\n1\n"
	if out := e.ok("run", "--rm", "flat"); out != want {
		t.Errorf("in the image:\n%s\nwant:\n%s", out, want)
	}
	e.ok("save", "-o", filepath.Join(t.TempDir(), "flat.tar"), "flat")
	// Nothing was kept to use as cache; the default keeps it again.
	if out := e.ok("build", "-t", "layered", dir); strings.Contains(out, "Using cache") {
		t.Errorf("a build after --layers=false found a cached step:\n%s", out)
	}
	if out := e.ok("build", "-t", "layered", dir); strings.Count(out, "Using cache") != 5 {
		t.Errorf("--layers (the default) did not cache:\n%s", out)
	}
	if r := e.burrow("build", "--layers=bogus", dir); r.code == 0 {
		t.Errorf("--layers=bogus accepted: %s", r)
	}
}

type rootFSConfig struct {
	RootFS struct {
		DiffIDs []string `json:"Layers"` // docker's name for the diff IDs
	}
	History []struct {
		EmptyLayer bool `json:"empty_layer"`
	}
}

func inspectRootFS(t *testing.T, e *env, ref string) rootFSConfig {
	t.Helper()
	var out []rootFSConfig
	if err := json.Unmarshal([]byte(e.ok("image", "inspect", ref)), &out); err != nil || len(out) != 1 {
		t.Fatalf("image inspect %s: %v", ref, err)
	}
	return out[0]
}

// layerCount is how many layers the store holds.
func layerCount(t *testing.T, e *env) int {
	t.Helper()
	n := 0
	for _, raw := range layerDirs(e) {
		var layers []json.RawMessage
		if err := json.Unmarshal([]byte(raw), &layers); err != nil {
			t.Fatal(err)
		}
		n += len(layers)
	}
	return n
}

// TestBuildPullForeignPlatform: with --platform of another architecture,
// a stored image of the host's under the FROM name is not used:
// --pull=missing pulls the one asked for, --pull=never refuses. A build
// with no RUN needs no emulator for that platform.
func TestBuildPullForeignPlatform(t *testing.T) {
	reg := startRegistry(t, "")
	e := busyboxEnv(t)
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	ref := reg.addr + "/plat/base:1"
	foreign := buildContext(t, map[string]string{"Dockerfile": "FROM scratch\nCOPY marker /marker\n", "marker": other})
	e.ok("build", "-q", "--platform", "linux/"+other, "-t", ref, foreign)
	if got := inspectArch(t, e, ref); got != other {
		t.Fatalf("FROM scratch --platform linux/%s made a %s image", other, got)
	}
	e.ok("push", "-q", "--tls-verify=false", ref)
	e.ok("rmi", ref)
	e.ok("tag", busyboxImage, ref) // the host's image under the same name
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM " + ref + "\nCOPY f /f\n", "f": "x"})
	before := e.storeState()
	r := e.burrow("build", "--pull=never", "--platform", "linux/"+other, "-t", "result", dir)
	if r.code != 125 || !strings.Contains(r.stderr, "linux/"+runtime.GOARCH) || !strings.Contains(r.stderr, "linux/"+other) {
		t.Errorf("--pull=never with a stored image of the host's platform: %s", r)
	}
	if e.storeState() != before {
		t.Error("a refused build changed the store")
	}
	e.ok("build", "-q", "--pull=missing", "--tls-verify=false", "--platform", "linux/"+other, "-t", "result", dir)
	if got := inspectArch(t, e, "result"); got != other {
		t.Errorf("the build used the stored %s image for --platform linux/%s", got, other)
	}
	if got := inspectArch(t, e, ref); got != other {
		t.Errorf("%s is %s after the pull, want %s", ref, got, other)
	}
	if got, base := inspectRootFS(t, e, "result"), inspectRootFS(t, e, busyboxImage); got.RootFS.DiffIDs[0] == base.RootFS.DiffIDs[0] {
		t.Error("the result is built on the host's busybox layer")
	}
	// The host's platform, named, uses what is stored without a pull.
	e.ok("tag", busyboxImage, ref)
	e.ok("build", "-q", "--pull=never", "--platform", "linux/"+runtime.GOARCH, "-t", "native", dir)
	if got := inspectArch(t, e, "native"); got != runtime.GOARCH {
		t.Errorf("--platform linux/%s made %s", runtime.GOARCH, got)
	}
}

func inspectArch(t *testing.T, e *env, ref string) string {
	t.Helper()
	var out []struct{ Architecture string }
	if err := json.Unmarshal([]byte(e.ok("image", "inspect", ref)), &out); err != nil || len(out) != 1 {
		t.Fatalf("image inspect %s: %v", ref, err)
	}
	return out[0].Architecture
}

// TestBuildGitRefusedByName: a git repository as an ADD source or as
// the context is refused saying so (not fetched as a web page, not looked
// for as a file), as is RUN --mount=type=ssh, and nothing is left.
func TestBuildGitRefusedByName(t *testing.T) {
	e := busyboxEnv(t)
	before := e.storeState()
	for _, c := range []struct{ file, want string }{
		{"FROM busybox\nADD git@github.com:o/r.git /src\n", "git@github.com:o/r.git is a git repository"},
		{"FROM busybox\nADD https://127.0.0.1:1/o/r.git#main /src\n", "is a git repository"},
		{"FROM busybox\nRUN --mount=type=ssh true\n", "type=ssh"},
		{"FROM busybox\nONBUILD ADD git://127.0.0.1:1/r /src\n", ""},
	} {
		dir := buildContext(t, map[string]string{"Dockerfile": c.file})
		r := e.burrow("build", "-t", "git", dir)
		if c.want == "" {
			if r.code != 0 {
				t.Errorf("%q: %s", c.file, r)
			}
			continue
		}
		if r.code != 125 || !strings.Contains(r.stderr, c.want) {
			t.Errorf("%q: want exit 125 naming %q: %s", c.file, c.want, r)
		}
		if e.storeState() != before {
			t.Errorf("%q: a refused build changed the store", c.file)
		}
	}
	// The trigger runs in a FROM of that image: refused there too.
	dir := buildContext(t, map[string]string{"Dockerfile": "FROM git\n"})
	if r := e.burrow("build", dir); r.code != 125 || !strings.Contains(r.stderr, "is a git repository") {
		t.Errorf("ONBUILD ADD of a git URL: %s", r)
	}
	if r := e.burrow("build", "https://github.com/o/r.git"); r.code != 125 || !strings.Contains(r.stderr, "git repository or URL as the context") {
		t.Errorf("a git context: %s", r)
	}
}
