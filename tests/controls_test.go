package tests

import (
	"os"
	"strings"
	"testing"
)

// TestControlsCapabilities: --cap-add and --cap-drop change what root in
// the container may do, and a non-root user gets what --cap-add names as
// ambient capabilities; each effect is observed, and its absence.
func TestControlsCapabilities(t *testing.T) {
	e := shared.forTest(t)
	run := func(args ...string) result {
		return e.burrow(append([]string{"run", "--rm", "--network", "none"}, args...)...)
	}
	addAddr := []string{busyboxImage, "sh", "-c", "ip addr add 10.1.1.1/32 dev lo && echo done"}
	if r := run(append([]string{"--cap-add", "net_admin"}, addAddr...)...); r.stdout != "done\n" {
		t.Errorf("--cap-add net_admin: %s", r)
	}
	if r := run(addAddr...); r.stdout == "done\n" || !strings.Contains(r.stderr, "not permitted") {
		t.Errorf("without NET_ADMIN an address was added: %s", r)
	}
	chown := []string{busyboxImage, "sh", "-c", "chown 1 /tmp && echo done"}
	if r := run(append([]string{"--cap-drop", "ALL"}, chown...)...); r.stdout == "done\n" {
		t.Errorf("--cap-drop ALL: root could still chown: %s", r)
	}
	if r := run(append([]string{"--cap-drop", "CAP_CHOWN"}, chown...)...); r.stdout == "done\n" {
		t.Errorf("--cap-drop CAP_CHOWN: root could still chown: %s", r)
	}
	if r := run(chown...); r.stdout != "done\n" {
		t.Errorf("root could not chown by default: %s", r)
	}
	out := e.ok("run", "--rm", "--network", "none", "-u", "1000", "--cap-add", "NET_BIND_SERVICE", busyboxImage,
		"sh", "-c", "grep -E '^Cap(Eff|Amb)' /proc/self/status | tr -d ' \\t' | tr '\\n' ' '")
	if strings.TrimSpace(out) != "CapEff:0000000000000400 CapAmb:0000000000000400" {
		t.Errorf("-u 1000 --cap-add NET_BIND_SERVICE: %q, want it effective and ambient", out)
	}
}

// TestControlsPrivileged: --privileged lifts the defaults (mount works, no
// seccomp, no masks), and only with it.
func TestControlsPrivileged(t *testing.T) {
	e := shared.forTest(t)
	script := "mount -t tmpfs t /tmp && echo mounted; grep Seccomp: /proc/self/status; grep -c ' /proc/keys ' /proc/self/mounts"
	out := e.ok("run", "--rm", "--network", "none", "--privileged", busyboxImage, "sh", "-c", script+"; true")
	if !strings.Contains(out, "mounted") || !strings.Contains(out, "Seccomp:\t0") || !strings.HasSuffix(out, "0\n") {
		t.Errorf("--privileged: %q (want mount to work, no seccomp, /proc/keys unmasked)", out)
	}
	out = e.ok("run", "--rm", "--network", "none", busyboxImage, "sh", "-c", script+"; true")
	if strings.Contains(out, "mounted") || !strings.Contains(out, "Seccomp:\t2") || !strings.HasSuffix(out, "1\n") {
		t.Errorf("without --privileged: %q", out)
	}
	if _, err := os.Stat("/dev/fuse"); err == nil && unixAccessRW("/dev/fuse") {
		if out := e.ok("run", "--rm", "--network", "none", "--privileged", busyboxImage, "ls", "/dev"); !strings.Contains(out, "fuse") {
			t.Errorf("--privileged lacks /dev/fuse, which the user can open: %q", out)
		}
	}
}

// TestControlsSecurityOpts: no-new-privileges=false, mask= and unmask=.
func TestControlsSecurityOpts(t *testing.T) {
	e := shared.forTest(t)
	if out := e.ok("run", "--rm", "--network", "none", "--security-opt", "no-new-privileges=false", busyboxImage, "grep", "NoNewPrivs", "/proc/self/status"); !strings.Contains(out, "\t0") {
		t.Errorf("no-new-privileges=false: %q", out)
	}
	out := e.ok("run", "--rm", "--network", "none", "--security-opt", "unmask=/proc/keys", "--security-opt", "mask=/etc/hostname",
		busyboxImage, "sh", "-c", "grep -c ' /proc/keys ' /proc/self/mounts; wc -c < /etc/hostname; true")
	if out != "0\n0\n" {
		t.Errorf("unmask=/proc/keys, mask=/etc/hostname: %q", out)
	}
	// SELinux labels: where SELinux is off they are accepted and change
	// nothing; where it is on the process runs with the type asked for.
	_, selinuxErr := os.Stat("/sys/fs/selinux/enforce")
	for _, l := range []string{"label=disable", "label=type:spc_t", "label=level:s0:c1,c2"} {
		out := e.ok("run", "--rm", "--network", "none", "--security-opt", l, busyboxImage, "sh", "-c", "cat /proc/self/attr/current 2>/dev/null; echo; df -k /dev/shm | tail -1")
		if !strings.Contains(out, "65536") {
			t.Errorf("--security-opt %s: %q", l, out)
		}
		if selinuxErr == nil && l == "label=type:spc_t" && !strings.Contains(out, ":spc_t:") {
			t.Errorf("--security-opt %s: the process label is %q", l, out)
		}
	}
}

// TestControlsBadInput: each refused with 125 and its name, nothing created.
func TestControlsBadInput(t *testing.T) {
	e := busyboxEnv(t)
	for _, c := range []struct{ flag, value, name string }{
		{"--cap-add", "NOT_A_CAP", "NOT_A_CAP"},
		{"--cap-drop", "cap_bogus", "cap_bogus"},
		{"--security-opt", "apparmor=x", "apparmor=x"},
		{"--security-opt", "no-new-privileges=maybe", "no-new-privileges=maybe"},
		{"--security-opt", "label=bogus", "label=bogus"},
	} {
		r := e.burrow("create", "--name", "x", c.flag, c.value, busyboxImage, "true")
		if r.code != 125 || !strings.Contains(r.stderr, c.name) {
			t.Errorf("%s %s: %s", c.flag, c.value, r)
		}
	}
	if out := e.ok("ps", "-aq"); out != "" {
		t.Errorf("refused input left containers: %q", out)
	}
}

func unixAccessRW(path string) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
