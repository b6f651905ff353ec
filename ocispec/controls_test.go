package ocispec

import (
	"slices"
	"strings"
	"testing"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

func TestParseSysctls(t *testing.T) {
	got, err := ParseSysctls([]string{"net.ipv4.ip_forward=1", "kernel/shmmax=100", "fs.mqueue.msg_max=20", "kernel.hostname=h", "kernel.sem=1 2 3 4"})
	if err != nil {
		t.Fatal(err)
	}
	if got["net.ipv4.ip_forward"] != "1" || got["kernel.shmmax"] != "100" || got["kernel.sem"] != "1 2 3 4" || len(got) != 5 {
		t.Errorf("parsed: %v", got)
	}
	for _, bad := range []string{"kernel.core_pattern=x", "vm.swappiness=1", "net.ipv4.ip_forward", "=1", "net..x=1", "kernel.pid_max=9", "net.core.x=a\nb"} {
		if _, err := ParseSysctls([]string{bad}); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}

func TestParseUlimits(t *testing.T) {
	hard := func(int) uint64 { return 4096 }
	got, err := ParseUlimits([]string{"nofile=1024:2048", "nproc=100", "core=0:0", "nofile=10:20"}, hard)
	if err != nil {
		t.Fatal(err)
	}
	want := []specs.POSIXRlimit{{Type: "RLIMIT_NPROC", Soft: 100, Hard: 100}, {Type: "RLIMIT_CORE"}, {Type: "RLIMIT_NOFILE", Soft: 10, Hard: 20}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v (the last nofile wins)", got, want)
	}
	for _, bad := range []string{"nofile=8192", "nofile=10:9000", "bogus=1", "nofile", "nofile=20:10", "nofile=x"} {
		if _, err := ParseUlimits([]string{bad}, hard); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	if _, err := ParseUlimits([]string{"nofile=100000"}, func(int) uint64 { return unix.RLIM_INFINITY }); err != nil {
		t.Errorf("under an unlimited hard limit: %v", err)
	}
	def := DefaultUlimits(want[:1], hard)
	if !slices.Contains(def, specs.POSIXRlimit{Type: "RLIMIT_NOFILE", Soft: 4096, Hard: 4096}) || !slices.Contains(def, want[0]) || len(def) != 2 {
		t.Errorf("defaults over nproc=100: %v (want nproc kept, nofile at the hard limit)", def)
	}
}

func TestCheckControls(t *testing.T) {
	adj := -2000
	for _, c := range []struct {
		c               Controls
		network, host   string
		wantErrContains string
	}{
		{Controls{Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}}, "host", "", "net.ipv4.ip_forward"},
		{Controls{Sysctls: map[string]string{"net.ipv4.ip_forward": "1"}}, "container:x", "", "net.ipv4.ip_forward"},
		{Controls{IPC: "host", Sysctls: map[string]string{"kernel.shmmax": "1"}}, "", "", "kernel.shmmax"},
		{Controls{IPC: "container:a", Sysctls: map[string]string{"fs.mqueue.msg_max": "1"}}, "", "", "fs.mqueue.msg_max"},
		{Controls{UTS: "host", Sysctls: map[string]string{"kernel.hostname": "h"}}, "", "", "kernel.hostname"},
		{Controls{UTS: "host"}, "", "name", "--hostname"},
		{Controls{IPC: "host", ShmSize: 1}, "", "", "--shm-size"},
		{Controls{IPC: "container:a", ShmSize: 1}, "", "", "--ipc shareable"},
		{Controls{KeepGroups: true, GroupAdd: []string{"1"}}, "", "", "keep-groups"},
		{Controls{OOMScoreAdj: &adj}, "", "", "-2000"},
		{Controls{PID: "private"}, "", "", "--pid"},
		{Controls{Cgroupns: "container:a"}, "", "", "--cgroupns"},
		{Controls{IPC: "container:"}, "", "", "--ipc"},
	} {
		err := CheckControls(c.c, c.network, c.host)
		if err == nil || !strings.Contains(err.Error(), c.wantErrContains) {
			t.Errorf("%+v with network %q: %v, want an error naming %s", c.c, c.network, err, c.wantErrContains)
		}
	}
	ok := Controls{PID: "host", IPC: "shareable", UTS: "container:a", Cgroupns: "private", ShmSize: 1 << 20,
		Sysctls: map[string]string{"net.ipv4.ip_forward": "1", "kernel.shmmax": "1"}, KeepGroups: true}
	if err := CheckControls(ok, "", ""); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
}

func TestSharedNamespacesInSpec(t *testing.T) {
	opt := Opt{Image: imageWithCmd(), Rootfs: "/r", Controls: Controls{PID: "host", IPC: "container:a", UTS: "host", Cgroupns: "host",
		NSPaths: map[specs.LinuxNamespaceType]string{specs.IPCNamespace: "/proc/7/ns/ipc"}, ShmDir: "/run/a/shm"}, Hostname: "h"}
	s, err := Build(opt)
	if err != nil {
		t.Fatal(err)
	}
	want := []specs.LinuxNamespace{{Type: specs.MountNamespace}, {Type: specs.IPCNamespace, Path: "/proc/7/ns/ipc"}, {Type: specs.NetworkNamespace}}
	if !slices.Equal(s.Linux.Namespaces, want) {
		t.Errorf("namespaces %v, want %v", s.Linux.Namespaces, want)
	}
	if s.Hostname != "" {
		t.Errorf("--uts host: the spec sets host name %q", s.Hostname)
	}
	mounts := map[string]specs.Mount{}
	for _, m := range s.Mounts {
		mounts[m.Destination] = m
	}
	if m := mounts["/proc"]; m.Type != "bind" || m.Source != "/proc" {
		t.Errorf("--pid host: /proc is %+v, want the host's bound", m)
	}
	if m := mounts["/dev/shm"]; m.Type != "bind" || m.Source != "/run/a/shm" {
		t.Errorf("--ipc container: /dev/shm is %+v", m)
	}
	s, _ = Build(Opt{Image: imageWithCmd(), Rootfs: "/r", Controls: Controls{ShmSize: 16 << 20}})
	for _, m := range s.Mounts {
		if m.Destination == "/dev/shm" && !slices.Contains(m.Options, "size=16384k") {
			t.Errorf("--shm-size 16m: %v", m.Options)
		}
	}
}

func imageWithCmd() imgspecv1.ImageConfig { return imgspecv1.ImageConfig{Cmd: []string{"/bin/sh"}} }
