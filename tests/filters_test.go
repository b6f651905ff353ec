package tests

import (
	"strings"
	"testing"
)

// TestPSFiltersAndLast: name= matches part of a name, ancestor= the image
// a container was made from, exited= the exit code of stopped containers
// only; -n N keeps the N newest.
func TestPSFiltersAndLast(t *testing.T) {
	e := detachedEnv(t)
	e.ok("tag", busyboxImage, "other:v1")
	// Made from a second image: same layers, its own ID.
	e.ok("import", "-q", "--change", `CMD ["/bin/sh"]`, writeRootfsTarFor(t, e), "third:v1")
	e.ok("run", "--name", "web-ok", busyboxImage, "true")
	if r := e.burrow("run", "--name", "web-bad", "third:v1", "sh", "-c", "exit 3"); r.code != 3 {
		t.Fatalf("run exit 3: %s", r)
	}
	e.ok("run", "-d", "--name", "db", "other:v1", "sleep", "1000")
	names := func(args ...string) string {
		t.Helper()
		return e.ok(append([]string{"ps", "--format", "{{.Names}}"}, args...)...)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-a"}, "db\nweb-bad\nweb-ok\n"}, // newest first
		{[]string{"-a", "--filter", "name=web"}, "web-bad\nweb-ok\n"},
		{[]string{"-a", "--filter", "name=db"}, "db\n"},
		{[]string{"-a", "--filter", "ancestor=third:v1"}, "web-bad\n"},
		{[]string{"-a", "--filter", "exited=3"}, "web-bad\n"},
		{[]string{"-a", "--filter", "exited=0"}, "web-ok\n"},
		{[]string{"-a", "--filter", "exited=0", "--filter", "name=bad"}, ""},
		{[]string{"-n", "2"}, "db\nweb-bad\n"},
		{[]string{"-n", "1"}, "db\n"},
		{[]string{"-n", "0"}, ""},
	} {
		if got := names(c.args...); got != c.want {
			t.Errorf("ps %v: %q, want %q", c.args, got, c.want)
		}
	}
	// ancestor= by an ID prefix takes every container of that image.
	id := strings.TrimSpace(e.ok("images", "-q", "--filter", "reference=third:v1"))
	if got := names("-a", "--filter", "ancestor="+id); got != "web-bad\n" {
		t.Errorf("ps --filter ancestor=%s: %q", id, got)
	}
	for _, bad := range []string{"exited", "name"} {
		if r := e.burrow("ps", "--filter", bad); r.code != 125 {
			t.Errorf("ps --filter %s (no value): %s; want exit 125", bad, r)
		}
	}
}

// writeRootfsTarFor writes the busybox root filesystem as a tarball in the
// env's directory.
func writeRootfsTarFor(t *testing.T, e *env) string {
	t.Helper()
	path := e.dir + "/rootfs-" + t.Name() + ".tar"
	if err := writeRootfsTar(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRmiForce: an image a container uses is refused without -f; with -f
// the containers go with it.
func TestRmiForce(t *testing.T) {
	e := detachedEnv(t)
	e.ok("import", "-q", writeRootfsTarFor(t, e), "victim:v1")
	e.ok("run", "--name", "user", "victim:v1", "/bin/true")
	r := e.burrow("rmi", "victim:v1")
	if r.code != 2 || !strings.Contains(r.stderr, "used by a container") {
		t.Fatalf("rmi of an image in use: %s; want exit 2 (podman's) saying it is in use", r)
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}}"); out != "user\n" {
		t.Fatalf("refused rmi touched the containers: %q", out)
	}
	out := e.ok("rmi", "-f", "victim:v1")
	if !strings.Contains(out, "Deleted: ") {
		t.Errorf("rmi -f printed %q, want Deleted:", out)
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("rmi -f left the image's containers: %q", out)
	}
	if out := e.ok("images", "--format", "{{.Repository}}:{{.Tag}}"); strings.Contains(out, "victim") {
		t.Errorf("rmi -f left the image: %q", out)
	}
	// The other image stays.
	if out := e.ok("run", "--rm", busyboxImage, "echo", "still"); out != "still\n" {
		t.Errorf("busybox after rmi -f of another image: %q", out)
	}
}

// TestImagePrune: prune removes only dangling images; -a also tagged ones
// no container uses, and keeps those a container (even a stopped one) uses.
func TestImagePrune(t *testing.T) {
	e := detachedEnv(t)
	e.ok("import", "-q", writeRootfsTarFor(t, e), "unused:v1")
	e.ok("run", "--name", "keeper", busyboxImage, "true")
	repos := func() string {
		return e.ok("images", "--format", "{{.Repository}}:{{.Tag}}")
	}
	before := repos()
	if !strings.Contains(before, "unused:v1") || !strings.Contains(before, busyboxImage) {
		t.Fatalf("images before prune: %q", before)
	}
	e.ok("image", "prune", "-f")
	if after := repos(); after != before {
		t.Errorf("prune without -a removed tagged images: %q -> %q", before, after)
	}
	e.ok("image", "prune", "-a", "-f")
	after := repos()
	if strings.Contains(after, "unused:v1") {
		t.Errorf("prune -a kept an image no container uses: %q", after)
	}
	if !strings.Contains(after, busyboxImage) {
		t.Errorf("prune -a removed the image of a stopped container: %q", after)
	}
}
