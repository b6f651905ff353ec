package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// dockerOK runs the docker CLI and fails the test unless it exits 0.
func (a *apiEnv) dockerOK(args ...string) string {
	a.t.Helper()
	r := a.docker(args...)
	if r.code != 0 {
		a.t.Fatalf("docker %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// tryWrite is a shell command that says whether a file could be made.
func tryWrite(file string) string {
	return "touch " + file + " 2>/dev/null && echo wrote || echo refused"
}

func lines(s string) []string {
	out := strings.Fields(s)
	slices.Sort(out)
	return out
}

// TestAPIVolumeVerbs: docker volume create, ls (with filters), inspect,
// rm and prune through burrow's socket act on the volumes burrow's own
// verbs see, with docker's answers for a volume in use and an unknown one.
func TestAPIVolumeVerbs(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	a.dockerOK("volume", "create", "--label", "env=test", "data1")
	a.dockerOK("volume", "create", "data2")
	a.dockerOK("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=2m", "small")
	// A second create of a name answers with the volume, as docker's does.
	if out := a.dockerOK("volume", "create", "data2"); strings.TrimSpace(out) != "data2" {
		t.Errorf("create of an existing volume: %q", out)
	}
	if got := lines(a.ok("volume", "ls", "-q")); !slices.Equal(got, []string{"data1", "data2", "small"}) {
		t.Fatalf("burrow volume ls after docker volume create: %v", got)
	}
	if got := lines(a.dockerOK("volume", "ls", "-q", "--filter", "label=env=test")); !slices.Equal(got, []string{"data1"}) {
		t.Errorf("docker volume ls --filter label: %v", got)
	}
	if got := lines(a.dockerOK("volume", "ls", "-q", "--filter", "name=data")); !slices.Equal(got, []string{"data1", "data2"}) {
		t.Errorf("docker volume ls --filter name: %v", got)
	}
	mp := strings.TrimSpace(a.ok("volume", "inspect", "--format", "{{.Mountpoint}}", "data1"))
	got := strings.TrimSpace(a.dockerOK("volume", "inspect", "--format", "{{.Name}} {{.Driver}} {{.Scope}} {{.Labels.env}} {{.Mountpoint}}", "data1"))
	if want := "data1 local local test " + mp; got != want {
		t.Errorf("docker volume inspect: %q, want %q", got, want)
	}
	if got := strings.TrimSpace(a.dockerOK("volume", "inspect", "--format", "{{.Options.type}} {{.Options.o}}", "small")); got != "tmpfs size=2m" {
		t.Errorf("driver options: %q", got)
	}
	if out := a.dockerOK("run", "--rm", "-v", "small:/s", busyboxImage, "sh", "-c", "df -k /s | tail -1 | awk '{print $2}'"); strings.TrimSpace(out) != "2048" {
		t.Errorf("a tmpfs volume of size=2m: %q KiB", out)
	}
	if r := a.docker("volume", "create", "--driver", "nfs-plugin", "other"); r.code == 0 || !strings.Contains(r.stderr, "only local") {
		t.Errorf("a volume driver burrow lacks: %s", r)
	}
	if r := a.docker("volume", "create", "bad/name"); r.code == 0 || !strings.Contains(r.stderr, "bad/name") {
		t.Errorf("a bad volume name: %s", r)
	}
	if r := a.docker("volume", "create", "-o", "type=tmpfs", "-o", "o=bogus=1", "badopt"); r.code == 0 {
		t.Errorf("a bad tmpfs option: %s", r)
	}
	if got := lines(a.ok("volume", "ls", "-q")); len(got) != 3 {
		t.Errorf("refused creates left volumes: %v", got)
	}
	if r := a.docker("volume", "inspect", "nope"); r.code != 1 || !strings.Contains(r.stderr, "no such volume") {
		t.Errorf("inspect of an unknown volume: %s", r)
	}
	if r := a.docker("volume", "rm", "-f", "nope"); r.code != 0 {
		t.Errorf("rm -f of an unknown volume is no error in docker: %s", r)
	}

	a.dockerOK("run", "-d", "--name", "user", "-v", "data1:/d", busyboxImage, "sleep", "1000")
	id := strings.TrimSpace(a.dockerOK("inspect", "-f", "{{.Id}}", "user"))
	r := a.docker("volume", "rm", "data1")
	if want := "remove data1: volume is in use - [" + id + "]"; r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("rm of a volume in use: %s\nwant %q", r, want)
	}
	if got := lines(a.dockerOK("volume", "ls", "-q", "--filter", "dangling=true")); !slices.Equal(got, []string{"data2", "small"}) {
		t.Errorf("dangling volumes: %v", got)
	}
	a.dockerOK("run", "--rm", "-v", "data2:/d", busyboxImage, "sh", "-c", "head -c 100000 /dev/zero > /d/blob")
	// Since API 1.42 prune takes anonymous volumes only, unless --all.
	if out := a.dockerOK("volume", "prune", "-f"); !strings.Contains(out, "Total reclaimed space: 0B") {
		t.Errorf("volume prune without --all: %q", out)
	}
	if got := lines(a.ok("volume", "ls", "-q")); len(got) != 3 {
		t.Fatalf("prune without --all removed named volumes: %v", got)
	}
	a.dockerOK("volume", "create", "--label", "keep=yes", "kept")
	out := a.dockerOK("volume", "prune", "-af", "--filter", "label!=keep")
	if !strings.Contains(out, "data2") || !strings.Contains(out, "small") || strings.Contains(out, "data1") ||
		strings.Contains(out, "kept") || !strings.Contains(out, "Total reclaimed space: 100kB") {
		t.Errorf("volume prune --all: %q", out)
	}
	if got := lines(a.ok("volume", "ls", "-q")); !slices.Equal(got, []string{"data1", "kept"}) {
		t.Errorf("after prune: %v", got)
	}
	if _, err := os.Stat(filepath.Dir(mp)); err != nil {
		t.Errorf("the used volume's directory: %v", err)
	}
	a.dockerOK("rm", "-f", "user")
	a.dockerOK("volume", "rm", "data1", "kept")
	if got := a.ok("volume", "ls", "-q"); got != "" {
		t.Errorf("volumes left: %q", got)
	}
	if _, err := os.Stat(filepath.Dir(mp)); !os.IsNotExist(err) {
		t.Errorf("volume rm left its directory: %v", err)
	}
}

// TestAPIVolumeMounts: what one container writes to a named volume
// (docker run -v, --mount type=volume) a second one reads; --mount's
// volume labels, volume-nocopy, tmpfs and bind reach the container;
// inspect's .Mounts names the volumes; anonymous volumes go with rm -v and
// stay without it; --volumes-from shares a container's volumes.
func TestAPIVolumeMounts(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	a.dockerOK("run", "--rm", "-v", "shared:/data", busyboxImage, "sh", "-c", "echo written-by-one > /data/f")
	if out := a.dockerOK("run", "--rm", "--mount", "type=volume,src=shared,dst=/in,readonly", busyboxImage, "cat", "/in/f"); out != "written-by-one\n" {
		t.Errorf("second container reads %q", out)
	}
	// The answer is in the output: docker run --rm's exit code is not
	// checked here (it says 0 for a command that fails at once on int).
	if r := a.docker("run", "--rm", "-v", "shared:/data:ro", busyboxImage, "sh", "-c", tryWrite("/data/g")); r.stdout != "refused\n" {
		t.Errorf("a write to a read-only volume: %s", r)
	}
	if out := a.dockerOK("run", "--rm", "--mount", "type=volume,src=labelled,dst=/v,volume-label=team=blue", busyboxImage, "true"); out != "" {
		t.Errorf("run: %q", out)
	}
	if got := strings.TrimSpace(a.dockerOK("volume", "inspect", "-f", "{{.Labels.team}}", "labelled")); got != "blue" {
		t.Errorf("--mount volume-label: %q", got)
	}
	// volume-opt creates the volume with the local driver's options.
	if out := a.dockerOK("run", "--rm", "--mount", "type=volume,src=mounted-tmpfs,dst=/v,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=3m",
		busyboxImage, "sh", "-c", "df -k /v | tail -1 | awk '{print $2}'"); strings.TrimSpace(out) != "3072" {
		t.Errorf("--mount volume-opt: %q KiB", out)
	}
	// The image's /etc is copied into a fresh volume unless volume-nocopy.
	if out := a.dockerOK("run", "--rm", "--mount", "type=volume,src=etc1,dst=/etc", busyboxImage, "ls", "/etc"); !strings.Contains(out, "passwd") {
		t.Errorf("copy-up into a new volume: %q", out)
	}
	// burrow mounts hostname, hosts and resolv.conf over whatever is there.
	if out := a.dockerOK("run", "--rm", "--mount", "type=volume,src=etc2,dst=/etc,volume-nocopy", busyboxImage, "ls", "/etc"); strings.Contains(out, "passwd") {
		t.Errorf("volume-nocopy copied: %q", out)
	}
	dir := filepath.Join(a.dir, "hostdir")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "h"), []byte("from-host\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := a.dockerOK("run", "--rm", "--mount", "type=bind,src="+dir+",dst=/b", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m",
		busyboxImage, "sh", "-c", "cat /b/h; df -k /t | tail -1 | awk '{print $2}'")
	if out != "from-host\n1024\n" {
		t.Errorf("--mount bind and tmpfs: %q", out)
	}

	a.dockerOK("run", "-d", "--name", "src", "-v", "shared:/shared", "-v", "/anon", busyboxImage, "sh", "-c", "echo anon-data > /anon/a; sleep 1000")
	mounts := a.dockerOK("inspect", "-f", `{{range .Mounts}}{{.Type}} {{.Name}} {{.Driver}} {{.Destination}} {{.RW}}{{"\n"}}{{end}}`, "src")
	var anon string
	for _, l := range strings.Split(strings.TrimSpace(mounts), "\n") {
		if f := strings.Fields(l); len(f) == 5 && f[3] == "/anon" && f[0] == "volume" && f[2] == "local" {
			anon = f[1]
		}
	}
	if !strings.Contains(mounts, "volume shared local /shared true\n") || anon == "" {
		t.Fatalf("inspect .Mounts: %q", mounts)
	}
	if got := a.dockerOK("volume", "ls", "-q", "--filter", "label=com.docker.volume.anonymous"); strings.TrimSpace(got) != anon {
		t.Errorf("anonymous volumes by docker's label: %q, want %s", got, anon)
	}
	if !waitFor(10*time.Second, func() bool {
		return a.docker("run", "--rm", "--volumes-from", "src:ro", busyboxImage, "cat", "/shared/f", "/anon/a").stdout == "written-by-one\nanon-data\n"
	}) {
		t.Errorf("--volumes-from: %s", a.docker("run", "--rm", "--volumes-from", "src:ro", busyboxImage, "cat", "/shared/f", "/anon/a"))
	}
	if r := a.docker("run", "--rm", "--volumes-from", "src:ro", busyboxImage, "sh", "-c", tryWrite("/shared/x")); r.stdout != "refused\n" {
		t.Errorf("a write through --volumes-from :ro: %s", r)
	}
	a.dockerOK("rm", "-f", "-v", "src")
	if got := lines(a.ok("volume", "ls", "-q")); slices.Contains(got, anon) || !slices.Contains(got, "shared") {
		t.Errorf("rm -v: %v, want %s gone and shared kept", got, anon)
	}
	before := lines(a.ok("volume", "ls", "-q"))
	a.dockerOK("run", "--rm", "-v", "/gone-with-rm", busyboxImage, "true")
	if !waitFor(10*time.Second, func() bool { return slices.Equal(lines(a.ok("volume", "ls", "-q")), before) }) {
		t.Errorf("run --rm left its anonymous volume: %v, before %v", lines(a.ok("volume", "ls", "-q")), before)
	}
	a.dockerOK("run", "--name", "keep", "-v", "/kept", busyboxImage, "true")
	a.dockerOK("rm", "keep")
	r := a.docker("volume", "prune", "-f")
	if r.code != 0 || strings.Count(r.stdout, "\n") < 2 {
		t.Errorf("prune of the anonymous volume rm kept: %s", r)
	}
	if got := lines(a.ok("volume", "ls", "-q")); !slices.Equal(got, []string{"etc1", "etc2", "labelled", "mounted-tmpfs", "shared"}) {
		t.Errorf("volumes at the end: %v", got)
	}
}

// TestAPIVolumePythonSDK: the Python SDK creates, lists, uses and removes
// volumes.
func TestAPIVolumePythonSDK(t *testing.T) {
	const python = "/usr/bin/python3"
	requireClient(t, python, "-c", "import docker")
	a := startService(t)
	script := fmt.Sprintf(`
import docker
c = docker.DockerClient(base_url="unix://%s")
v = c.volumes.create(name="pyvol", labels={"owner": "py"})
print(v.name, v.attrs["Driver"], v.attrs["Labels"]["owner"])
print([x.name for x in c.volumes.list(filters={"label": "owner=py"})])
c.containers.run(%[2]q, "sh -c 'echo py-data > /d/f'", volumes={"pyvol": {"bind": "/d", "mode": "rw"}}, remove=True)
print(c.containers.run(%[2]q, "cat /e/f", volumes=["pyvol:/e:ro"], remove=True).decode().strip())
ctr = c.containers.run(%[2]q, "sleep 1000", volumes={"pyvol": {"bind": "/d"}}, detach=True)
try:
    v.remove()
except docker.errors.APIError as e:
    print(e.status_code)
ctr.remove(force=True)
v.remove()
print(c.volumes.prune(filters={"all": "true"})["VolumesDeleted"])
print([x.name for x in c.volumes.list()])
`, a.sock, busyboxImage)
	r := a.client(script, python, "-")
	want := "pyvol local py\n['pyvol']\npy-data\n409\n[]\n[]\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("python SDK:\n%s\nwant stdout %q", r, want)
	}
}

// composeVolumeFile: a service with a named volume and an anonymous one;
// a second service mounts the first one's volumes.
const composeVolumeFile = `version: "2.4"
services:
  db:
    image: busybox
    command: ["sh", "-c", "echo kept > /data/f; echo tmp > /cache/t; exec sleep 1000"]
    volumes:
      - data:/data
      - /cache
    stop_grace_period: 1s
  reader:
    image: busybox
    command: ["sleep", "1000"]
    volumes_from:
      - db:ro
    stop_grace_period: 1s
volumes:
  data:
    labels:
      tier: storage
`

// TestAPIComposeVolumes: docker-compose 1.29 creates the project's named
// volume with its labels, the services share it (volumes_from), and
// down -v removes the named and the anonymous volumes.
func TestAPIComposeVolumes(t *testing.T) {
	requireClient(t, "docker-compose", "version")
	a := startService(t)
	dir := filepath.Join(a.dir, "project")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(composeVolumeFile), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := func(args ...string) result {
		t.Helper()
		return a.client("", "docker-compose", append([]string{"--ansi", "never", "-p", "volproj", "-f", filepath.Join(dir, "docker-compose.yml")}, args...)...)
	}
	if r := compose("up", "-d"); r.code != 0 {
		t.Fatalf("docker-compose up -d: %s", r)
	}
	if got := a.dockerOK("volume", "ls", "-q", "--filter", "label=tier=storage", "--filter", "label=com.docker.compose.project=volproj"); strings.TrimSpace(got) != "volproj_data" {
		t.Errorf("the project's named volume: %q", got)
	}
	if !waitFor(20*time.Second, func() bool {
		return compose("exec", "-T", "reader", "cat", "/data/f", "/cache/t").stdout == "kept\ntmp\n"
	}) {
		t.Errorf("volumes_from: %s", compose("exec", "-T", "reader", "cat", "/data/f", "/cache/t"))
	}
	if got := lines(a.ok("volume", "ls", "-q")); len(got) != 2 {
		t.Errorf("volumes while up: %v, want the named and one anonymous", got)
	}
	if r := compose("down", "-v"); r.code != 0 {
		t.Errorf("docker-compose down -v: %s", r)
	}
	if got := a.ok("volume", "ls", "-q"); got != "" {
		t.Errorf("volumes left after down -v: %q", got)
	}
	if got := a.ok("ps", "-aq"); got != "" {
		t.Errorf("containers left after down -v: %q", got)
	}
}

// TestAPISystemDF: docker system df through burrow's socket counts the
// images, containers and volumes, with the size of what a volume holds.
func TestAPISystemDF(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	a.dockerOK("run", "--name", "w", "-v", "full:/d", busyboxImage, "sh", "-c", "head -c 100000 /dev/zero > /d/blob")
	a.dockerOK("volume", "create", "empty")
	out := a.dockerOK("system", "df", "--format", "{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}")
	t.Logf("docker system df:\n%s", out)
	rows := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		typ, rest, _ := strings.Cut(l, "|")
		rows[typ] = rest
	}
	if got := rows["Local Volumes"]; got != "2|1|100kB|0B (0%)" {
		t.Errorf("volumes row: %q", got)
	}
	if got := rows["Images"]; !strings.HasPrefix(got, "1|1|") {
		t.Errorf("images row: %q", got)
	}
	if got := rows["Containers"]; !strings.HasPrefix(got, "1|0|") {
		t.Errorf("containers row: %q", got)
	}
	out = a.dockerOK("system", "df", "-v", "--format", "{{range .Volumes}}{{.Name}} {{.Links}} {{.Size}}\n{{end}}")
	if got := lines(strings.ReplaceAll(out, " ", "_")); !slices.Equal(got, []string{"empty_0_0B", "full_1_100kB"}) {
		t.Errorf("system df -v volumes: %q", out)
	}
}
