package hostbin

import (
	"strings"
	"testing"
)

func TestInstall(t *testing.T) {
	for name, want := range map[string]string{
		"newuidmap": "sudo apt-get install uidmap", "pasta": "sudo apt-get install passt",
		"fuse-overlayfs": "sudo apt-get install fuse-overlayfs", "other": "sudo apt-get install other",
	} {
		if got := Install(name); got != want {
			t.Errorf("Install(%s) = %q, want %q", name, got, want)
		}
	}
	if _, err := Find("burrow-no-such-program"); err == nil || !strings.Contains(err.Error(), "apt-get install burrow-no-such-program") {
		t.Errorf("missing program: %v", err)
	}
	if p, err := Find("sh"); err != nil || p == "" {
		t.Errorf("sh: %q, %v", p, err)
	}
}
