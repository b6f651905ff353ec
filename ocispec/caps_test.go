package ocispec

import (
	"slices"
	"testing"
)

func TestBoundingSet(t *testing.T) {
	has := func(set []string, c string) bool { return slices.Contains(set, c) }
	set, err := BoundingSet(Security{CapAdd: []string{"net_admin", "CAP_SYS_PTRACE"}, CapDrop: []string{"chown", "Cap_Kill"}})
	if err != nil {
		t.Fatal(err)
	}
	if !has(set, "CAP_NET_ADMIN") || !has(set, "CAP_SYS_PTRACE") || has(set, "CAP_CHOWN") || has(set, "CAP_KILL") || !has(set, "CAP_SETUID") {
		t.Errorf("add NET_ADMIN, SYS_PTRACE, drop CHOWN, KILL: %v", set)
	}
	if set, _ := BoundingSet(Security{CapDrop: []string{"ALL"}, CapAdd: []string{"NET_BIND_SERVICE"}}); !slices.Equal(set, []string{"CAP_NET_BIND_SERVICE"}) {
		t.Errorf("drop ALL, add NET_BIND_SERVICE: %v", set)
	}
	if set, _ := BoundingSet(Security{CapDrop: []string{"ALL"}}); len(set) != 0 {
		t.Errorf("drop ALL: %v", set)
	}
	all, _ := BoundingSet(Security{Privileged: true})
	if !has(all, "CAP_SYS_ADMIN") || len(all) < 38 {
		t.Errorf("privileged: %d capabilities: %v", len(all), all)
	}
	if added, _ := BoundingSet(Security{CapAdd: []string{"all"}, CapDrop: []string{"sys_admin"}}); has(added, "CAP_SYS_ADMIN") || len(added) != len(all)-1 {
		t.Errorf("add ALL, drop SYS_ADMIN: %v", added)
	}
	if _, err := BoundingSet(Security{CapAdd: []string{"NOT_A_CAP"}}); err == nil {
		t.Error("an unknown capability was accepted")
	}
}

func TestProcessCaps(t *testing.T) {
	bounding := []string{"CAP_CHOWN", "CAP_NET_ADMIN"}
	root := ProcessCaps(bounding, 0, []string{"NET_ADMIN"})
	if !slices.Equal(root.Effective, bounding) || !slices.Equal(root.Permitted, bounding) || len(root.Ambient) != 0 {
		t.Errorf("root: %+v", root)
	}
	user := ProcessCaps(bounding, 1000, []string{"net_admin", "SYS_ADMIN"})
	want := []string{"CAP_NET_ADMIN"} // SYS_ADMIN is not in the bounding set
	if !slices.Equal(user.Ambient, want) || !slices.Equal(user.Effective, want) || !slices.Equal(user.Inheritable, want) {
		t.Errorf("user with --cap-add: %+v", user)
	}
	if plain := ProcessCaps(bounding, 1000, nil); len(plain.Effective)+len(plain.Ambient) != 0 {
		t.Errorf("user without --cap-add: %+v", plain)
	}
}

func TestMaskedPathsOptions(t *testing.T) {
	m, r := maskedPaths(Security{Unmask: []string{"/proc/kcore"}, Mask: []string{"/proc/version"}})
	if slices.Contains(m, "/proc/kcore") || !slices.Contains(m, "/proc/version") || !slices.Contains(m, "/proc/keys") || len(r) != len(ReadonlyPaths) {
		t.Errorf("unmask /proc/kcore, mask /proc/version: %v %v", m, r)
	}
	if m, r := maskedPaths(Security{Privileged: true}); len(m)+len(r) != 0 {
		t.Errorf("privileged: %v %v", m, r)
	}
	if m, r := maskedPaths(Security{Unmask: []string{"ALL"}}); len(m)+len(r) != 0 {
		t.Errorf("unmask=ALL: %v %v", m, r)
	}
}
