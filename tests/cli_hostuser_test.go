package tests

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// hostPasswdLine is the test user's own line in the host's /etc/passwd.
func hostPasswdLine(t *testing.T, name string) string {
	f, err := os.Open("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), name+":") {
			return sc.Text()
		}
	}
	t.Fatalf("no %s in the host's /etc/passwd", name)
	return ""
}

// TestRunHostUser: --hostuser adds the host's passwd entry (by name or
// UID) to the container's /etc/passwd, -u and exec -u then know the name,
// an account the image has is not added twice, and an unknown one is
// refused with nothing left behind.
func TestRunHostUser(t *testing.T) {
	e := newEnv(t)
	if err := e.importBusybox("box"); err != nil {
		t.Fatal(err)
	}
	me := os.Getenv("USER")
	line := hostPasswdLine(t, me)
	f := strings.Split(line, ":")
	want := strings.Join(append([]string{f[0], "x"}, f[2:]...), ":")

	if out := e.ok("run", "--rm", "box", "cat", "/etc/passwd"); strings.Contains(out, me+":") {
		t.Fatalf("the image already has %s: the test shows nothing\n%s", me, out)
	}
	for _, who := range []string{me, f[2]} {
		out := e.ok("run", "--rm", "--hostuser", who, "box", "cat", "/etc/passwd")
		if !strings.Contains(out, "\n"+want+"\n") || !strings.HasPrefix(out, "root:") {
			t.Errorf("--hostuser %s: /etc/passwd lacks %q after the image's own:\n%s", who, want, out)
		}
	}
	if got := e.ok("run", "--rm", "--hostuser", me, "-u", me, "box", "id", "-u"); strings.TrimSpace(got) != f[2] {
		t.Errorf("-u %s with --hostuser: id -u = %q, want %s", me, got, f[2])
	}
	e.ok("run", "-d", "--name", "hu", "--hostuser", me, "box", "sleep", "100")
	if got := e.ok("exec", "-u", me, "hu", "id", "-un"); strings.TrimSpace(got) != me {
		t.Errorf("exec -u %s: id -un = %q", me, got)
	}
	e.ok("rm", "-f", "-t", "0", "hu")

	out := e.ok("run", "--rm", "--hostuser", "root", "--hostuser", me, "box", "cat", "/etc/passwd")
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "root:") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("--hostuser root: %d root lines, want the image's one:\n%s", n, out)
	}

	r := e.burrow("run", "--rm", "--name", "nouser", "--hostuser", "no-such-user-here", "box", "true")
	if r.code != 125 || !strings.Contains(r.stderr, "no-such-user-here") || !strings.Contains(r.stderr, "host") {
		t.Errorf("--hostuser of an unknown account: want 125 naming it; %s", r)
	}
	if left := e.ok("ps", "-a", "-q"); left != "" {
		t.Errorf("a refused --hostuser left containers: %q", left)
	}
}
