package tests

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	shortID = regexp.MustCompile(`^[0-9a-f]{12}$`)
	fullID  = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// imageNames lists `images` as "REPOSITORY:TAG ID" lines, sorted: the
// listing without its time-dependent columns.
func (e *env) imageNames() []string {
	e.t.Helper()
	out := strings.Fields(e.ok("images", "--no-trunc", "--format", "{{.Repository}}:{{.Tag}}@{{.ID}}"))
	slices.Sort(out)
	return out
}

// imageID is the full ID of a stored image.
func (e *env) imageID(ref string) string {
	e.t.Helper()
	id := strings.TrimSpace(e.ok("image", "inspect", "--format", "{{.ID}}", ref))
	if !strings.HasPrefix(id, "sha256:") || !fullID.MatchString(id[len("sha256:"):]) {
		e.t.Fatalf("inspect %s: ID %q, want sha256: and 64 hex digits", ref, id)
	}
	return id[len("sha256:"):]
}

func TestImagesTable(t *testing.T) {
	e := shared.forTest(t)
	lines := strings.Split(strings.TrimRight(e.ok("images"), "\n"), "\n")
	if len(lines) < 2 {
		t.Fatalf("images printed %d lines, want a header and a row:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if got := strings.Fields(lines[0]); !slices.Equal(got, []string{"REPOSITORY", "TAG", "IMAGE", "ID", "CREATED", "SIZE"}) {
		t.Errorf("header %q, want REPOSITORY TAG IMAGE ID CREATED SIZE", lines[0])
	}
	// Columns line up under the header.
	idCol := strings.Index(lines[0], "IMAGE ID")
	var row string
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "localhost/busybox" && f[1] == "latest" {
			row = l
		}
	}
	if row == "" {
		t.Fatalf("no localhost/busybox latest row:\n%s", strings.Join(lines, "\n"))
	}
	if len(row) < idCol+12 || !shortID.MatchString(row[idCol:idCol+12]) {
		t.Errorf("row %q has no 12-hex ID under IMAGE ID (column %d)", row, idCol)
	}
	if !strings.HasPrefix(e.imageID(busyboxImage), row[idCol:idCol+12]) {
		t.Errorf("row %q: ID is not a prefix of the image's %s", row, e.imageID(busyboxImage))
	}
	if f := strings.Fields(row); !strings.HasSuffix(f[len(f)-1], "B") {
		t.Errorf("row %q: size column %q, want a human size such as 2MB", row, f[len(f)-1])
	}
}

func TestImagesIDForms(t *testing.T) {
	e := shared.forTest(t)
	full := e.imageID(busyboxImage)
	cases := []struct {
		args []string
		re   *regexp.Regexp
		want string
	}{
		{[]string{"images", "-q"}, shortID, full[:12]},
		{[]string{"images", "--quiet"}, shortID, full[:12]},
		{[]string{"images", "-q", "--no-trunc"}, fullID, full},
		{[]string{"images", "--format", "{{.ID}}"}, shortID, full[:12]},
		{[]string{"images", "--no-trunc", "--format", "{{.ID}}"}, fullID, full},
		{[]string{"image", "ls", "-q"}, shortID, full[:12]},
	}
	for _, c := range cases {
		lines := strings.Fields(e.ok(c.args...))
		if len(lines) == 0 {
			t.Errorf("%v printed nothing", c.args)
			continue
		}
		for _, l := range lines {
			if !c.re.MatchString(l) {
				t.Errorf("%v: line %q does not match %s", c.args, l, c.re)
			}
		}
		if !slices.Contains(lines, c.want) {
			t.Errorf("%v: %q lacks the busybox ID %s", c.args, lines, c.want)
		}
	}
	// The table with --no-trunc shows the full ID.
	if out := e.ok("images", "--no-trunc"); !strings.Contains(out, " "+full+" ") {
		t.Errorf("images --no-trunc does not show the full ID %s:\n%s", full, out)
	}
	if out := e.ok("images", "--format", "{{.Repository}}:{{.Tag}}"); !slices.Contains(strings.Fields(out), "localhost/busybox:latest") {
		t.Errorf("images --format repository:tag = %q, want localhost/busybox:latest", out)
	}
}

func TestImagesJSON(t *testing.T) {
	e := shared.forTest(t)
	var rows []struct{ ID, Repository, Tag string }
	out := e.ok("images", "--format", "json")
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("images --format json: %v\n%s", err, out)
	}
	found := false
	for _, r := range rows {
		found = found || r.Repository == "localhost/busybox" && r.Tag == "latest" && shortID.MatchString(r.ID)
	}
	if !found {
		t.Fatalf("images --format json has no localhost/busybox latest row with a short ID:\n%s", out)
	}
}

func TestImagesInspect(t *testing.T) {
	e := shared.forTest(t)
	full := strings.TrimSpace(e.ok("images", "-q", "--no-trunc"))
	for _, args := range [][]string{
		{"image", "inspect", busyboxImage},
		{"inspect", busyboxImage},
		{"image", "inspect", "localhost/busybox:latest"},
		{"image", "inspect", full[:12]},
	} {
		out := e.ok(args...)
		var got []struct {
			ID           string `json:"Id"`
			RepoTags     []string
			Architecture string
			Os           string
			Size         int64
			Config       struct{ Cmd []string }
			RootFS       struct {
				Type    string   `json:"Type"`
				DiffIDs []string `json:"Layers"` // docker's name
			}
		}
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("%v: output is not a JSON array: %v\n%s", args, err, out)
		}
		if len(got) != 1 {
			t.Fatalf("%v: %d objects, want 1:\n%s", args, len(got), out)
		}
		img := got[0]
		if img.ID != "sha256:"+full {
			t.Errorf("%v: Id %q, want sha256:%s", args, img.ID, full)
		}
		if !slices.Equal(img.RepoTags, []string{"localhost/busybox:latest"}) {
			t.Errorf("%v: RepoTags %q, want [localhost/busybox:latest]", args, img.RepoTags)
		}
		if !slices.Equal(img.Config.Cmd, []string{"/bin/sh"}) {
			t.Errorf("%v: Config.Cmd %q, want [/bin/sh]", args, img.Config.Cmd)
		}
		if img.Os != "linux" || img.Architecture == "" || img.Size <= 0 {
			t.Errorf("%v: Os %q Architecture %q Size %d", args, img.Os, img.Architecture, img.Size)
		}
		if img.RootFS.Type != "layers" || len(img.RootFS.DiffIDs) != 1 {
			t.Errorf("%v: RootFS %+v, want one layer", args, img.RootFS)
		}
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"inspect", "--format", "{{.Config.Cmd}}", busyboxImage}, "[/bin/sh]\n"},
		{[]string{"image", "inspect", "-f", "{{.Os}} {{index .RepoTags 0}}", busyboxImage}, "linux localhost/busybox:latest\n"},
		{[]string{"inspect", "--format", "{{.ID}}", busyboxImage}, "sha256:" + full + "\n"},
	}
	for _, c := range cases {
		if out := e.ok(c.args...); out != c.want {
			t.Errorf("%v = %q, want %q", c.args, out, c.want)
		}
	}
}

// TestImagesUnknown: every verb that takes an image fails with 125 (rmi:
// 1, as podman documents) and names the reference it could not find.
func TestImagesUnknown(t *testing.T) {
	e := shared.forTest(t)
	before := e.imageNames()
	for _, args := range [][]string{
		{"run", "--rm", "nosuch-image-x1", "true"},
		{"run", "--rm", "localhost/nosuch-image-x1:v2", "true"},
		{"rmi", "nosuch-image-x1"},
		{"rmi", "busybox:no-such-tag"},
		{"image", "rm", "nosuch-image-x1"},
		{"image", "inspect", "nosuch-image-x1"},
		{"inspect", "nosuch-image-x1"},
		{"inspect", "--format", "{{.ID}}", "nosuch-image-x1"},
		{"tag", "nosuch-image-x1", "other:v1"},
		{"run", "--rm", "quay.io/nosuch/busybox", "true"}, // a registry is never guessed for a short name's image
		{"run", "--rm", "a.b/c:t", "true"},                // shorter than "localhost/"
		{"image", "inspect", "x.y/z"},
	} {
		ref := args[len(args)-1]
		if args[0] == "run" {
			ref = args[2]
		}
		if args[0] == "tag" {
			ref = args[1]
		}
		r := e.burrow(args...)
		want := 125
		if args[0] == "rmi" || args[1] == "rm" {
			want = 1
		}
		if r.code != want || !strings.HasPrefix(r.stderr, "Error: ") || !strings.Contains(r.stderr, ref) {
			t.Errorf("burrow %v: %s; want exit %d and an Error: naming %s", args, r, want, ref)
		}
		if strings.Contains(r.stderr, "panic") {
			t.Errorf("burrow %v panicked: %s", args, r.stderr)
		}
	}
	// One known and one unknown: the known one is still shown.
	r := e.burrow("image", "inspect", "--format", "{{index .RepoTags 0}}", busyboxImage, "nosuch-image-x1")
	if r.code != 125 || r.stdout != "localhost/busybox:latest\n" || !strings.Contains(r.stderr, "nosuch-image-x1") {
		t.Errorf("inspect of a known and an unknown image: %s; want the known one printed, exit 125 naming the other", r)
	}
	if after := e.imageNames(); !slices.Equal(before, after) {
		t.Errorf("failed commands changed the images: %q -> %q", before, after)
	}
}

func TestImagesTagAndRmi(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	id := e.imageID(busyboxImage)
	e.ok("tag", busyboxImage, "mybox:v1", "registry.example.com:5000/team/box:2")
	want := []string{
		"localhost/busybox:latest@" + id,
		"localhost/mybox:v1@" + id,
		"registry.example.com:5000/team/box:2@" + id,
	}
	if got := e.imageNames(); !slices.Equal(got, want) {
		t.Fatalf("images after tag:\n%q\nwant\n%q", got, want)
	}
	if out := e.ok("run", "--rm", "mybox:v1", "true"); out != "" {
		t.Errorf("run mybox:v1 true printed %q", out)
	}
	if out := e.ok("run", "--rm", "registry.example.com:5000/team/box:2", "echo", "tagged"); out != "tagged\n" {
		t.Errorf("run by a registry name with a port: %q", out)
	}
	if out := e.ok("image", "inspect", "--format", "{{len .RepoTags}}", "localhost/mybox:v1"); out != "3\n" {
		t.Errorf("RepoTags after tag: %q names, want 3", out)
	}

	// One of several names: only untagged.
	if out := e.ok("rmi", "mybox:v1"); out != "Untagged: localhost/mybox:v1\n" {
		t.Errorf("rmi mybox:v1 printed %q, want only the untag", out)
	}
	if out := e.ok("image", "rm", "registry.example.com:5000/team/box:2"); out != "Untagged: registry.example.com:5000/team/box:2\n" {
		t.Errorf("image rm registry name printed %q, want only the untag", out)
	}
	if got := e.imageNames(); !slices.Equal(got, want[:1]) {
		t.Fatalf("images after untagging:\n%q\nwant\n%q", got, want[:1])
	}
	if r := e.burrow("run", "--rm", "mybox:v1", "true"); r.code != 125 {
		t.Errorf("run of a removed name: %s; want exit 125", r)
	}
	e.ok("run", "--rm", busyboxImage, "true")

	// The last name: the image goes.
	out := e.ok("rmi", busyboxImage)
	if !strings.Contains(out, "Untagged: localhost/busybox:latest\n") || !strings.Contains(out, "Deleted: "+id+"\n") {
		t.Errorf("rmi of the last name printed %q, want the untag and Deleted: %s", out, id)
	}
	if got := e.imageNames(); len(got) != 0 {
		t.Errorf("images after removing the last name: %q, want none", got)
	}
	if out := e.ok("images"); strings.Contains(out, "busybox") || strings.Contains(out, id[:12]) {
		t.Errorf("images still lists the removed image:\n%s", out)
	}
	if r := e.burrow("image", "inspect", id[:12]); r.code != 125 {
		t.Errorf("inspect of a deleted image by ID: %s; want exit 125", r)
	}
}

// TestImagesRmiByID: an ID removes the image with all its names.
func TestImagesRmiByID(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	id := e.imageID(busyboxImage)
	e.ok("tag", busyboxImage, "second")
	out := e.ok("rmi", id[:12])
	if !strings.Contains(out, "Deleted: "+id) {
		t.Errorf("rmi by ID printed %q, want Deleted: %s", out, id)
	}
	if got := e.imageNames(); len(got) != 0 {
		t.Errorf("images after rmi by ID: %q, want none", got)
	}
}

func TestImportChanges(t *testing.T) {
	e := newEnv(t)
	tarPath := filepath.Join(e.dir, "rootfs.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	out := e.ok("import", "-q",
		"--change", `CMD ["sh", "-c", "echo $GREETING; pwd; id -u"]`,
		"--change", "ENV GREETING=hello OTHER=x",
		"--change", "WORKDIR /srv/app",
		"--change", "USER 1000",
		"--change", "LABEL org.example.k=v",
		tarPath, "changed:v1")
	if !strings.HasPrefix(out, "sha256:") || !fullID.MatchString(strings.TrimSpace(out)[len("sha256:"):]) {
		t.Fatalf("import printed %q, want sha256: and the ID", out)
	}
	if got := e.ok("run", "--rm", "changed:v1"); got != "hello\n/srv/app\n1000\n" {
		t.Errorf("run with the imported CMD, ENV, WORKDIR, USER: %q, want hello, /srv/app, 1000", got)
	}
	if got := e.ok("run", "--rm", "changed:v1", "sh", "-c", `echo "$GREETING $OTHER"; pwd; id -u; id -g`); got != "hello x\n/srv/app\n1000\n1000\n" {
		t.Errorf("run with a command: %q", got)
	}
	// The user's flags override the image's settings.
	if got := e.ok("run", "--rm", "-u", "0", "-w", "/", "-e", "GREETING=bye", "changed:v1", "sh", "-c", "echo $GREETING; pwd; id -u"); got != "bye\n/\n0\n" {
		t.Errorf("flags over image settings: %q", got)
	}
	if got := e.ok("inspect", "--format", `{{.Config.User}} {{.Config.WorkingDir}} {{index .Config.Labels "org.example.k"}}`, "changed:v1"); got != "1000 /srv/app v\n" {
		t.Errorf("inspect of the changed config: %q", got)
	}
}

// TestImportUnnamed: an import without a name is listed as <none> and
// runs by ID; an import from stdin works too.
func TestImportUnnamed(t *testing.T) {
	e := newEnv(t)
	entries, err := rootfsEntries()
	if err != nil {
		t.Fatal(err)
	}
	data, err := tarBytes(append(entries, tarEntry{name: "etc/from-stdin", mode: 0o644, body: []byte("stdin\n")}))
	if err != nil {
		t.Fatal(err)
	}
	r, err := e.exec(string(data), "import", "-q", "--change", `CMD ["cat", "/etc/from-stdin"]`, "-")
	if err != nil || r.code != 0 {
		t.Fatalf("import from stdin: %v %s", err, r)
	}
	id := strings.TrimPrefix(strings.TrimSpace(r.stdout), "sha256:")
	if !fullID.MatchString(id) {
		t.Fatalf("import printed %q, want sha256: and the ID", r.stdout)
	}
	if got := e.imageNames(); !slices.Equal(got, []string{"<none>:<none>@" + id}) {
		t.Errorf("images after an unnamed import: %q, want <none>:<none>@%s", got, id)
	}
	if out := e.ok("run", "--rm", id[:12]); out != "stdin\n" {
		t.Errorf("run by ID: %q, want the file from the stdin tarball", out)
	}
	if out := e.ok("image", "inspect", "--format", "{{len .RepoTags}}", id); out != "0\n" {
		t.Errorf("RepoTags of an unnamed image: %q, want none", out)
	}
}

func TestImagesMalformed(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox(busyboxImage); err != nil {
		t.Fatal(err)
	}
	tarPath := filepath.Join(e.dir, "rootfs.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		t.Fatal(err)
	}
	before := e.imageNames()
	cases := [][]string{
		{"run", "--nosuchflag", busyboxImage},
		{"images", "--nosuchflag"},
		{"images", "--format", "{{.NoSuchField}}"},
		{"images", "--format", "{{"},
		{"import"},
		{"import", tarPath, "a:1", "extra"},
		{"import", "--change", "BOGUS x", tarPath, "bogus"},
		{"import", "--change", "CMD", tarPath, "bogus"},
		{"import", "--change", "ENV A", tarPath, "bogus"},
		{"import", filepath.Join(e.dir, "no-such.tar"), "bogus"},
		{"import", tarPath, "Bad:Name"},
		{"import", tarPath, "bogus:"},
		{"tag"},
		{"tag", busyboxImage},
		{"tag", busyboxImage, "UPPER"},
		{"tag", busyboxImage, "a:b:c"},
		{"tag", busyboxImage, "bogus:"},
		{"tag", busyboxImage, "a//b"},
		{"rmi"},
		{"image", "inspect"},
		{"inspect", "--format", "{{.NoSuchField}}", busyboxImage},
		{"load", "-i"},
		{"load", "--nosuchflag"},
	}
	for _, args := range cases {
		r := e.burrow(args...)
		if r.code != 125 || !strings.HasPrefix(r.stderr, "Error: ") {
			t.Errorf("burrow %q: %s; want exit 125 and an Error: line", args, r)
		}
	}
	if after := e.imageNames(); !slices.Equal(before, after) {
		t.Errorf("malformed commands changed the images: %q -> %q", before, after)
	}
}

// TestInspectType: inspect --type container looks only at containers,
// --type image (and image inspect) only at images, all at both, a
// container first; what is not found is an error after what is printed.
func TestInspectType(t *testing.T) {
	e := busyboxEnv(t)
	e.ok("create", "--name", "shadow", "--network", "none", busyboxImage, "true")
	kinds := func(args ...string) []string {
		t.Helper()
		var got []map[string]any
		out := e.ok(append([]string{"inspect"}, args...)...)
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatalf("inspect %v: %v: %s", args, err, out)
		}
		var k []string
		for _, g := range got {
			if _, ok := g["State"]; ok {
				k = append(k, "container")
			} else if _, ok := g["RootFS"]; ok {
				k = append(k, "image")
			}
		}
		return k
	}
	if got := kinds("shadow", busyboxImage); !slices.Equal(got, []string{"container", "image"}) {
		t.Errorf("inspect of both: %v", got)
	}
	if got := kinds("--type", "container", "shadow"); !slices.Equal(got, []string{"container"}) {
		t.Errorf("--type container: %v", got)
	}
	if got := kinds("--type", "image", busyboxImage); !slices.Equal(got, []string{"image"}) {
		t.Errorf("--type image: %v", got)
	}
	for _, args := range [][]string{{"inspect", "--type", "container", busyboxImage}, {"inspect", "--type", "image", "shadow"}, {"image", "inspect", "shadow"}} {
		if r := e.burrow(args...); r.code == 0 || r.stderr == "" {
			t.Errorf("%v found what it should not look at: %s", args, r)
		}
	}
	r := e.burrow("inspect", "--type", "container", "--format", "{{.Name}}", "shadow", "nosuch")
	if r.code == 0 || !strings.Contains(r.stdout, "shadow") || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("a found and a missing container: %s", r)
	}
	if r := e.burrow("inspect", "--type", "volume", "shadow"); r.code != 125 {
		t.Errorf("--type volume: %s", r)
	}
}
