package ocispec

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/burrow/burrow/errdefs"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func strptr(s string) *string { return &s }

func TestCommand(t *testing.T) {
	both := imgspecv1.ImageConfig{Entrypoint: []string{"/ep", "-x"}, Cmd: []string{"default", "arg"}}
	cmdOnly := imgspecv1.ImageConfig{Cmd: []string{"/bin/sh"}}
	epOnly := imgspecv1.ImageConfig{Entrypoint: []string{"/ep"}}
	cases := []struct {
		name       string
		img        imgspecv1.ImageConfig
		entrypoint *string
		args       []string
		want       []string
	}{
		{"image entrypoint and cmd", both, nil, nil, []string{"/ep", "-x", "default", "arg"}},
		{"args replace cmd", both, nil, []string{"mine"}, []string{"/ep", "-x", "mine"}},
		{"cmd only", cmdOnly, nil, nil, []string{"/bin/sh"}},
		{"args replace cmd only", cmdOnly, nil, []string{"echo", "hi"}, []string{"echo", "hi"}},
		{"entrypoint only", epOnly, nil, nil, []string{"/ep"}},
		{"entrypoint only with args", epOnly, nil, []string{"a"}, []string{"/ep", "a"}},
		{"--entrypoint drops the image's cmd", both, strptr("/new"), nil, []string{"/new"}},
		{"--entrypoint with args", both, strptr("/new"), []string{"a", "b"}, []string{"/new", "a", "b"}},
		{"--entrypoint on a cmd-only image", cmdOnly, strptr("/new"), nil, []string{"/new"}},
		{"--entrypoint is one word", both, strptr("/bin/sh -c"), nil, []string{"/bin/sh -c"}},
		{"--entrypoint in JSON form", both, strptr(`["/bin/sh","-c"]`), []string{"echo hi"}, []string{"/bin/sh", "-c", "echo hi"}},
		{"--entrypoint that is not JSON", both, strptr(`[x`), nil, []string{"[x"}},
		{`--entrypoint "" with args`, both, strptr(""), []string{"ls", "/"}, []string{"ls", "/"}},
		{"no image config, args", imgspecv1.ImageConfig{}, nil, []string{"true"}, []string{"true"}},
		{`--entrypoint "" on an empty image, args`, imgspecv1.ImageConfig{}, strptr(""), []string{"true"}, []string{"true"}},
	}
	for _, c := range cases {
		got, err := Command(c.img, c.entrypoint, c.args)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Command = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestCommandNothingToRun(t *testing.T) {
	cases := []struct {
		name       string
		img        imgspecv1.ImageConfig
		entrypoint *string
	}{
		{"empty image", imgspecv1.ImageConfig{}, nil},
		{`--entrypoint "" clears the entrypoint and the cmd`, imgspecv1.ImageConfig{Entrypoint: []string{"/ep"}, Cmd: []string{"x"}}, strptr("")},
		{"empty lists", imgspecv1.ImageConfig{Entrypoint: []string{}, Cmd: []string{}}, nil},
	}
	for _, c := range cases {
		got, err := Command(c.img, c.entrypoint, nil)
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: Command = %q, %v; want an ErrInvalidArgument error", c.name, got, err)
		}
	}
}

// The returned args must not share memory with the image config: the
// caller may change them.
func TestCommandDoesNotAlias(t *testing.T) {
	img := imgspecv1.ImageConfig{Entrypoint: make([]string, 1, 8), Cmd: []string{"c"}}
	img.Entrypoint[0] = "/ep"
	got, err := Command(img, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got[0] = "changed"
	if img.Entrypoint[0] != "/ep" {
		t.Fatalf("changing Command's result changed the image's entrypoint to %q", img.Entrypoint[0])
	}
	args := []string{"a"}
	got, _ = Command(imgspecv1.ImageConfig{}, nil, args)
	got[0] = "changed"
	if args[0] != "a" {
		t.Fatalf("changing Command's result changed the caller's args to %q", args[0])
	}
}

// baseOpt is a valid Opt that each case changes.
func baseOpt() Opt {
	return Opt{
		Image:    imgspecv1.ImageConfig{Cmd: []string{"/bin/sh"}},
		Rootfs:   "/var/lib/x/merged",
		Hostname: "abcdef012345",
	}
}

func nsTypes(s *specs.Spec) []specs.LinuxNamespaceType {
	var out []specs.LinuxNamespaceType
	for _, ns := range s.Linux.Namespaces {
		if ns.Path != "" {
			continue // joined, not new
		}
		out = append(out, ns.Type)
	}
	return out
}

func mountAt(s *specs.Spec, dst string) (specs.Mount, int) {
	n := 0
	var found specs.Mount
	for _, m := range s.Mounts {
		if m.Destination == dst {
			found = m
			n++
		}
	}
	return found, n
}

func mustBuild(t *testing.T, opt Opt) *specs.Spec {
	t.Helper()
	s, err := Build(opt)
	if err != nil {
		t.Fatalf("Build(%+v): %v", opt, err)
	}
	return s
}

func TestBuildNamespaces(t *testing.T) {
	own := []specs.LinuxNamespaceType{specs.PIDNamespace, specs.MountNamespace, specs.UTSNamespace, specs.IPCNamespace, specs.CgroupNamespace}
	cases := []struct {
		network  bool
		wantNet  bool
		sysType  string
		sysBound bool
	}{
		{false, true, "sysfs", false},
		{true, false, "bind", true},
	}
	for _, c := range cases {
		opt := baseOpt()
		opt.HostNetwork = c.network
		s := mustBuild(t, opt)
		got := nsTypes(s)
		for _, want := range own {
			if !slices.Contains(got, want) {
				t.Errorf("host network %v: namespaces %v lack %s", c.network, got, want)
			}
		}
		if slices.Contains(got, specs.UserNamespace) {
			t.Errorf("host network %v: the spec asks for a user namespace %v; the holder's is joined", c.network, got)
		}
		if has := slices.Contains(got, specs.NetworkNamespace); has != c.wantNet {
			t.Errorf("host network %v: own network namespace = %v, want %v (namespaces %v)", c.network, has, c.wantNet, got)
		}
		sys, n := mountAt(s, "/sys")
		if n != 1 {
			t.Errorf("host network %v: %d mounts at /sys, want 1", c.network, n)
			continue
		}
		if sys.Type != c.sysType || !slices.Contains(sys.Options, "ro") {
			t.Errorf("host network %v: /sys is %+v, want a read-only %s", c.network, sys, c.sysType)
		}
		if c.sysBound && (sys.Source != "/sys" || !slices.Contains(sys.Options, "rbind")) {
			t.Errorf("host network %v: /sys is %+v, want an rbind of the host's /sys", c.network, sys)
		}
	}
}

func TestBuildNoSysfs(t *testing.T) {
	opt := baseOpt()
	opt.NoSysfs = true
	s := mustBuild(t, opt)
	if !slices.Contains(nsTypes(s), specs.NetworkNamespace) {
		t.Errorf("NoSysfs must not change the network namespace: %v", nsTypes(s))
	}
	if sys, _ := mountAt(s, "/sys"); sys.Type != "bind" || sys.Source != "/sys" || !slices.Contains(sys.Options, "ro") {
		t.Errorf("NoSysfs: /sys is %+v, want a read-only bind of the host's /sys", sys)
	}
}

func TestBuildCapabilities(t *testing.T) {
	cases := []struct {
		uid           uint32
		wantEffective []string
	}{
		{0, DefaultCaps},
		{1000, nil},
		{65534, nil},
	}
	for _, c := range cases {
		opt := baseOpt()
		opt.UID, opt.GID = c.uid, c.uid
		s := mustBuild(t, opt)
		caps := s.Process.Capabilities
		if caps == nil {
			t.Fatalf("uid %d: no capabilities in the spec", c.uid)
		}
		if !reflect.DeepEqual(caps.Bounding, DefaultCaps) {
			t.Errorf("uid %d: bounding set %v, want the default %v", c.uid, caps.Bounding, DefaultCaps)
		}
		if !reflect.DeepEqual(caps.Effective, c.wantEffective) || !reflect.DeepEqual(caps.Permitted, c.wantEffective) {
			t.Errorf("uid %d: effective %v permitted %v, want %v", c.uid, caps.Effective, caps.Permitted, c.wantEffective)
		}
		if len(caps.Inheritable) != 0 || len(caps.Ambient) != 0 {
			t.Errorf("uid %d: inheritable %v ambient %v, want none", c.uid, caps.Inheritable, caps.Ambient)
		}
		if s.Process.User.UID != c.uid || s.Process.User.GID != c.uid {
			t.Errorf("uid %d: process user %+v", c.uid, s.Process.User)
		}
		if !s.Process.NoNewPrivileges {
			t.Errorf("uid %d: NoNewPrivileges is off", c.uid)
		}
	}
	for _, c := range DefaultCaps {
		if c == "CAP_SYS_ADMIN" || c == "CAP_NET_ADMIN" || c == "CAP_SYS_PTRACE" {
			t.Errorf("default capabilities include %s", c)
		}
	}
}

func TestBuildEnv(t *testing.T) {
	cases := []struct {
		name     string
		imageEnv []string
		userEnv  []string
		terminal bool
		hostname string
		want     []string
	}{
		{"defaults", nil, nil, false, "", []string{DefaultPath}},
		{"hostname", nil, nil, false, "box", []string{DefaultPath, "HOSTNAME=box"}},
		{"terminal", nil, nil, true, "box", []string{DefaultPath, "TERM=xterm", "HOSTNAME=box"}},
		{"image PATH replaces the default", []string{"PATH=/opt/bin", "LANG=C"}, nil, false, "", []string{"PATH=/opt/bin", "LANG=C"}},
		{"user overrides image", []string{"A=image", "B=image"}, []string{"B=user", "C=user"}, false, "",
			[]string{DefaultPath, "A=image", "B=user", "C=user"}},
		{"user PATH and TERM win", []string{"PATH=/opt/bin"}, []string{"PATH=/mine", "TERM=dumb"}, true, "",
			[]string{"PATH=/mine", "TERM=dumb"}},
		{"image TERM wins over the default", []string{"TERM=vt100"}, nil, true, "", []string{DefaultPath, "TERM=vt100"}},
		{"user HOSTNAME wins", nil, []string{"HOSTNAME=other"}, false, "box", []string{DefaultPath, "HOSTNAME=other"}},
	}
	for _, c := range cases {
		opt := baseOpt()
		opt.Image.Env, opt.Env, opt.Terminal, opt.Hostname = c.imageEnv, c.userEnv, c.terminal, c.hostname
		s := mustBuild(t, opt)
		if !reflect.DeepEqual(s.Process.Env, c.want) {
			t.Errorf("%s: env %q, want %q", c.name, s.Process.Env, c.want)
		}
		if s.Process.Terminal != c.terminal {
			t.Errorf("%s: terminal %v, want %v", c.name, s.Process.Terminal, c.terminal)
		}
		if s.Hostname != c.hostname {
			t.Errorf("%s: hostname %q, want %q", c.name, s.Hostname, c.hostname)
		}
	}
}

func TestBuildCwd(t *testing.T) {
	cases := []struct {
		flag, image, want string
	}{
		{"", "", "/"},
		{"", "/app", "/app"},
		{"/work", "/app", "/work"},
		{"/work", "", "/work"},
	}
	for _, c := range cases {
		opt := baseOpt()
		opt.Workdir, opt.Image.WorkingDir = c.flag, c.image
		if s := mustBuild(t, opt); s.Process.Cwd != c.want {
			t.Errorf("-w %q, image WorkingDir %q: cwd %q, want %q", c.flag, c.image, s.Process.Cwd, c.want)
		}
	}
	for _, c := range []struct{ flag, image string }{{"relative", ""}, {"", "app"}, {"./x", "/app"}} {
		opt := baseOpt()
		opt.Workdir, opt.Image.WorkingDir = c.flag, c.image
		s, err := Build(opt)
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("-w %q, image WorkingDir %q: Build = %v, %v; want an ErrInvalidArgument error", c.flag, c.image, s, err)
		} else if !strings.Contains(err.Error(), "absolute") {
			t.Errorf("-w %q, image WorkingDir %q: error %q does not say the directory must be absolute", c.flag, c.image, err)
		}
	}
}

func TestBuildCommandError(t *testing.T) {
	opt := baseOpt()
	opt.Image = imgspecv1.ImageConfig{}
	if s, err := Build(opt); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Fatalf("Build with nothing to run = %v, %v; want an ErrInvalidArgument error", s, err)
	}
	opt.Args = []string{"echo", "x"}
	if s := mustBuild(t, opt); !reflect.DeepEqual(s.Process.Args, []string{"echo", "x"}) {
		t.Fatalf("args %q, want [echo x]", s.Process.Args)
	}
}

func TestBuildRootAndBasics(t *testing.T) {
	for _, ro := range []bool{false, true} {
		opt := baseOpt()
		opt.ReadOnly = ro
		opt.Groups = []uint32{10, 20}
		s := mustBuild(t, opt)
		if s.Version != specs.Version {
			t.Errorf("version %q, want %q", s.Version, specs.Version)
		}
		if s.Root == nil || s.Root.Path != opt.Rootfs || s.Root.Readonly != ro {
			t.Errorf("read-only %v: root %+v, want path %s", ro, s.Root, opt.Rootfs)
		}
		if !reflect.DeepEqual(s.Process.User.AdditionalGids, []uint32{10, 20}) {
			t.Errorf("additional gids %v, want [10 20]", s.Process.User.AdditionalGids)
		}
		if !reflect.DeepEqual(s.Linux.MaskedPaths, MaskedPaths) || !reflect.DeepEqual(s.Linux.ReadonlyPaths, ReadonlyPaths) {
			t.Errorf("masked %v readonly %v, want the defaults", s.Linux.MaskedPaths, s.Linux.ReadonlyPaths)
		}
		var devs []string
		for _, d := range s.Linux.Devices {
			devs = append(devs, d.Path)
		}
		for _, name := range DefaultDevices {
			if !slices.Contains(devs, "/dev/"+name) {
				t.Errorf("devices %v lack /dev/%s", devs, name)
			}
		}
		for _, dst := range []string{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys"} {
			if _, n := mountAt(s, dst); n != 1 {
				t.Errorf("%d mounts at %s, want 1", n, dst)
			}
		}
	}
}

func TestBuildUserMountsAfterBase(t *testing.T) {
	opt := baseOpt()
	user := []specs.Mount{
		{Destination: "/data", Type: "bind", Source: "/srv", Options: []string{"rbind", "ro"}},
		{Destination: "/dev/shm", Type: "tmpfs", Source: "tmpfs", Options: []string{"size=1m"}}, // replaces the base one
	}
	opt.Mounts = user
	s := mustBuild(t, opt)
	n := len(s.Mounts)
	if n < 2 || !reflect.DeepEqual(s.Mounts[n-2:], user) {
		t.Fatalf("mounts %+v: want the user's %+v last, in order", s.Mounts, user)
	}
	if i := slices.IndexFunc(s.Mounts, func(m specs.Mount) bool { return m.Destination == "/dev/shm" }); i == n-1 {
		t.Fatalf("the base /dev/shm mount is missing: %+v", s.Mounts)
	}
}

func TestBuildEtcFiles(t *testing.T) {
	opt := baseOpt()
	opt.EtcFiles = map[string]string{
		"/etc/resolv.conf": "/run/c/resolv.conf",
		"/etc/hosts":       "/run/c/hosts",
		"/etc/hostname":    "/run/c/hostname",
		"/etc/shadow":      "/run/c/shadow", // not one of the generated files: ignored
	}
	s := mustBuild(t, opt)
	var got []specs.Mount
	for _, m := range s.Mounts {
		if strings.HasPrefix(m.Destination, "/etc/") {
			got = append(got, m)
		}
	}
	want := []specs.Mount{
		{Destination: "/etc/hostname", Type: "bind", Source: "/run/c/hostname", Options: []string{"bind", "rw"}},
		{Destination: "/etc/hosts", Type: "bind", Source: "/run/c/hosts", Options: []string{"bind", "rw"}},
		{Destination: "/etc/resolv.conf", Type: "bind", Source: "/run/c/resolv.conf", Options: []string{"bind", "rw"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("/etc mounts %+v, want %+v", got, want)
	}
	// Only some files: only those are mounted.
	opt.EtcFiles = map[string]string{"/etc/hosts": "/run/c/hosts"}
	s = mustBuild(t, opt)
	if _, n := mountAt(s, "/etc/hostname"); n != 0 {
		t.Errorf("/etc/hostname mounted without a generated file")
	}
	if m, n := mountAt(s, "/etc/hosts"); n != 1 || m.Source != "/run/c/hosts" {
		t.Errorf("/etc/hosts: %d mounts, %+v", n, m)
	}
	// The etc files come after the user's mounts, so a -v on /etc cannot hide them.
	opt.Mounts = []specs.Mount{{Destination: "/etc", Type: "bind", Source: "/srv/etc", Options: []string{"rbind", "rw"}}}
	s = mustBuild(t, opt)
	if last := s.Mounts[len(s.Mounts)-1]; last.Destination != "/etc/hosts" {
		t.Errorf("last mount %+v, want /etc/hosts after the user's /etc", last)
	}
}

func TestCheckDestinations(t *testing.T) {
	if err := CheckDestinations([]string{"/data", "/other", "/data/sub"}); err != nil {
		t.Errorf("distinct destinations refused: %v", err)
	}
	for _, m := range [][]string{{"/data", "/data"}, {"/data/", "/data"}, {"/a/../data", "/data"}} {
		if err := CheckDestinations(m); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%v: %v, want a refusal", m, err)
		}
	}
}

func TestUnsetenv(t *testing.T) {
	img := imgspecv1.ImageConfig{Env: []string{"PATH=/img/bin", "LANG=C", "KEEP=1"}}
	got := processEnv(Opt{Image: img, Hostname: "h", Unsetenv: []string{"LANG", "HOSTNAME"}, Env: []string{"LANG=fr"}})
	if want := []string{"PATH=/img/bin", "KEEP=1", "LANG=fr"}; !reflect.DeepEqual(got, want) {
		t.Errorf("--unsetenv LANG HOSTNAME: %q, want %q", got, want)
	}
	if got := processEnv(Opt{Image: img, Hostname: "h", UnsetAll: true, Env: []string{"A=1"}}); !reflect.DeepEqual(got, []string{"A=1"}) {
		t.Errorf("--unsetenv-all: %q", got)
	}
}
