package engine

import (
	"errors"
	"slices"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

// TestCheckRunRules: the rules between run's options, each refused as bad
// input before anything exists, and a plain run accepted.
func TestCheckRunRules(t *testing.T) {
	base := func() RunOptions {
		return RunOptions{ContainerOptions: ContainerOptions{Image: "busybox", Network: "none"}}
	}
	if err := CheckRun(base()); err != nil {
		t.Fatalf("a plain run: %v", err)
	}
	cases := map[string]func(*RunOptions){
		"no image":                   func(o *RunOptions) { o.Image = "" },
		"bad name":                   func(o *RunOptions) { o.Name = "-x" },
		"dns not an address":         func(o *RunOptions) { o.DNS = []string{"dns.example"} },
		"restart with rm":            func(o *RunOptions) { o.Detach, o.Restart, o.AutoRemove = true, "always", true },
		"restart in the foreground":  func(o *RunOptions) { o.Restart = "on-failure:3" },
		"bad restart":                func(o *RunOptions) { o.Detach, o.Restart = true, "sometimes" },
		"preserve-fds detached":      func(o *RunOptions) { o.Detach, o.PreserveFDs = true, 1 },
		"publish on none":            func(o *RunOptions) { o.Publish = []string{"8080:80"} },
		"publish-all on host":        func(o *RunOptions) { o.Network, o.PublishAll = "host", true },
		"unknown network":            func(o *RunOptions) { o.Network = "no such net" },
		"unknown security option":    func(o *RunOptions) { o.SecurityOptions = []string{"apparmor=x"} },
		"unknown capability":         func(o *RunOptions) { o.CapAdd = []string{"NOT_A_CAP"} },
		"max-file without max-size":  func(o *RunOptions) { o.LogOptions = []string{"max-file=3"} },
		"memory-swap without memory": func(o *RunOptions) { o.Limits.MemorySwap = 1 << 30 },
		"cpu-shares out of range":    func(o *RunOptions) { o.Limits.CPUShares = 1 },
		"bad pull policy":            func(o *RunOptions) { o.Pull = "sometimes" },
		"volume source missing":      func(o *RunOptions) { o.Volumes = []string{"/no/such/dir:/x"} },
		"tmpfs not absolute":         func(o *RunOptions) { o.Tmpfs = []string{"relative"} },
		"no-new-privileges not bool": func(o *RunOptions) { o.SecurityOptions = []string{"no-new-privileges=maybe"} },
		"container network, publish": func(o *RunOptions) { o.Network, o.Publish = "container:db", []string{"80"} },
		"network none with options":  func(o *RunOptions) { o.Network = "none:x" },
	}
	for name, change := range cases {
		o := base()
		change(&o)
		if err := CheckRun(o); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: %v, want an invalid-argument error", name, err)
		}
	}
}

// TestCheckCreateRules: create takes a restart policy without -d (its
// monitor applies it once started) but no descriptors of its own.
func TestCheckCreateRules(t *testing.T) {
	o := RunOptions{ContainerOptions: ContainerOptions{Image: "busybox", Network: "none", Restart: "always"}}
	if err := CheckCreate(o); err != nil {
		t.Errorf("create --restart always: %v", err)
	}
	o.PreserveFDs = 1
	if err := CheckCreate(o); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("create --preserve-fds: %v", err)
	}
}

func TestParseExpose(t *testing.T) {
	got, err := parseExpose([]string{"80", "53/udp", "8000-8002/tcp"})
	want := []string{"80/tcp", "53/udp", "8000/tcp", "8001/tcp", "8002/tcp"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseExpose = %q, %v; want %q", got, err, want)
	}
	for _, bad := range []string{"0", "x", "80/sctp", "90-80", "70000", ""} {
		if _, err := parseExpose([]string{bad}); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("parseExpose(%q): %v, want a refusal", bad, err)
		}
	}
}

func TestPlatformMatches(t *testing.T) {
	for _, c := range []struct {
		have, want string
		ok         bool
	}{
		{"linux/amd64", "linux/amd64", true},
		{"linux/amd64", "linux/x86_64", true},
		{"linux/arm64/v8", "linux/arm64", true},
		{"linux/arm64/v8", "linux/AArch64/v8", true},
		{"linux/arm/v6", "linux/arm/v7", false},
		{"linux/arm", "linux/arm/v7", false},
		{"linux/amd64", "linux/arm64", false},
		{"windows/amd64", "linux/amd64", false},
		{"linux/", "linux/amd64", false},
	} {
		if got := platformMatches(c.have, c.want); got != c.ok {
			t.Errorf("platformMatches(%q, %q) = %v", c.have, c.want, got)
		}
	}
}
