package tests

import (
	"strings"
	"testing"
)

// TestExec runs commands in a running container's namespaces.
func TestExec(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "box", "--hostname", "boxhost", "-e", "FROMRUN=1", busyboxImage, "sleep", "1000")
	out := e.ok("exec", "-e", "EXTRA=2", "box", "sh", "-c", `hostname; echo "$FROMRUN$EXTRA"; cat /proc/1/cmdline | tr '\0' ' '; echo; id -u`)
	want := "boxhost\n12\nsleep 1000 \n0\n"
	if out != want {
		t.Fatalf("exec saw:\n%s\nwant:\n%s", out, want)
	}
	if out := e.ok("exec", "-u", "1000", "-w", "/tmp", "box", "sh", "-c", "id -u; pwd; grep ^CapEff /proc/self/status"); out != "1000\n/tmp\nCapEff:\t0000000000000000\n" {
		t.Errorf("exec -u 1000 -w /tmp: %q", out)
	}
	r, err := e.exec("piped\n", "exec", "-i", "box", "cat")
	if err != nil || r.stdout != "piped\n" {
		t.Errorf("exec -i cat: %v %s", err, r)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"exec", "box", "sh", "-c", "exit 4"}, 4},
		{[]string{"exec", "box", "nosuchcmd"}, 127},
		{[]string{"exec", "box", "/etc/passwd"}, 126},
		{[]string{"exec", "nosuchctr", "true"}, 125},
		{[]string{"exec", "box"}, 125},
	} {
		if r := e.burrow(c.args...); r.code != c.code {
			t.Errorf("burrow %v: %s; want exit %d", c.args, r, c.code)
		}
	}
	// The exec'd process is in the container: it dies with it.
	e.ok("rm", "-f", "box")
	if r := e.burrow("exec", "box", "true"); r.code != 125 || !strings.Contains(r.stderr, "box") {
		t.Errorf("exec into a removed container: %s", r)
	}
}

func TestExecTTY(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "ttybox", busyboxImage, "sleep", "1000")
	term := startTerminal(t, e, 25, 90, "exec", "-it", "ttybox", "sh")
	term.send("tty; stty size; echo n-$((3*3))\r")
	term.expect("/dev/pts/")
	term.expect("25 90")
	term.expect("n-9")
	term.send("exit 6\r")
	if code := term.wait(); code != 6 {
		t.Fatalf("exec -it exit code %d, want 6", code)
	}
}
