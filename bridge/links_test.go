package bridge

import "testing"

func TestHostIface(t *testing.T) {
	a, b := hostIface("ctr1", "net1"), hostIface("ctr1", "net2")
	if len(a) > 15 || a == b || a != hostIface("ctr1", "net1") {
		t.Errorf("hostIface: %q %q", a, b)
	}
}
