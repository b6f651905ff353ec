package tests

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestControlsDevice: --device /dev/fuse lets root in the container mount
// a FUSE file system (with the capability and syscalls that mount needs),
// and without it there is no /dev/fuse; a directory brings every node
// under it, at the container path given; a node the user cannot open is
// left out with one warning that names it.
func TestControlsDevice(t *testing.T) {
	if !unixAccessRW("/dev/fuse") {
		t.Skip("/dev/fuse is missing or not 0666 here (tests/setup sets it)")
	}
	e := shared.forTest(t)
	fuseMount := "test -c /dev/fuse && exec 3<>/dev/fuse && mkdir -p /tmp/m && " +
		"mount -t fuse -o fd=3,rootmode=40000,user_id=0,group_id=0 burrowfuse /tmp/m && grep -c burrowfuse /proc/self/mounts"
	base := []string{"run", "--rm", "--network", "none", "--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined"}
	if out := e.ok(append(base, "--device", "/dev/fuse", busyboxImage, "sh", "-c", fuseMount)...); out != "1\n" {
		t.Errorf("--device /dev/fuse: a FUSE mount did not work: %q", out)
	}
	if r := e.burrow(append(base, busyboxImage, "sh", "-c", fuseMount)...); r.code == 0 {
		t.Errorf("without --device /dev/fuse a FUSE mount worked: %s", r)
	}
	if unixAccessRW("/dev/net/tun") {
		out := e.ok("run", "--rm", "--network", "none", "--device", "/dev/net:/dev/hostnet:rwm", busyboxImage, "stat", "-c", "%F %t:%T", "/dev/hostnet/tun")
		if out != "character special file a:c8\n" {
			t.Errorf("--device /dev/net:/dev/hostnet: %q, want the tun node (10:200)", out)
		}
	}
	closed := ""
	for _, p := range []string{"/dev/console", "/dev/tty0", "/dev/mem", "/dev/kmsg"} {
		if _, err := os.Stat(p); err == nil && !unixAccessRW(p) {
			closed = p
			break
		}
	}
	if closed == "" {
		t.Skip("no device node here that the user cannot open")
	}
	r := e.burrow("run", "--rm", "--network", "none", "--device", "/dev/fuse", "--device", closed, busyboxImage, "sh", "-c", "test -e "+closed+" || echo absent")
	if r.code != 0 || r.stdout != "absent\n" || strings.Count(r.stderr, closed) != 1 || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("--device %s (not the user's to open): %s, want it left out with one warning", closed, r)
	}
}

// TestControlsGroupAdd: keep-groups keeps the user's host group, so a file
// only that group may read is readable by a non-root user inside; without
// it, not. A GID and a name from the image's /etc/group are added.
func TestControlsGroupAdd(t *testing.T) {
	e := shared.forTest(t)
	out := e.ok("run", "--rm", "--network", "none", "-u", "1000", "--group-add", "4321", "--group-add", "root", busyboxImage, "id", "-G")
	if g := strings.Fields(out); !slices.Contains(g, "4321") || !slices.Contains(g, "0") {
		t.Errorf("--group-add 4321 --group-add root: groups %q", out)
	}
	groups, err := os.Getgroups()
	if err != nil {
		t.Fatal(err)
	}
	extra := -1
	for _, g := range groups {
		if g != os.Getgid() {
			extra = g
		}
	}
	if extra < 0 {
		t.Skip("the test user has no supplementary host group (tests/setup adds it to burrowgrp)")
	}
	f := filepath.Join(t.TempDir(), "group-only")
	if err := os.WriteFile(f, []byte("for the group\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(f, -1, extra); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Chmod(f, 0o040); err != nil {
		t.Fatal(err)
	}
	read := []string{"run", "--rm", "--network", "none", "-u", "1000", "-v", f + ":/f:ro"}
	if out := e.ok(append(read, "--group-add", "keep-groups", busyboxImage, "cat", "/f")...); out != "for the group\n" {
		t.Errorf("--group-add keep-groups: %q", out)
	}
	if r := e.burrow(append(read, busyboxImage, "cat", "/f")...); r.code == 0 {
		t.Errorf("without keep-groups the group's file was readable: %s", r)
	}
}
