package monitor

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/burrow/burrow/ctrstate"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestRejoin(t *testing.T) {
	root := t.TempDir()
	st, err := ctrstate.Own(false)
	if err != nil {
		t.Fatal(err)
	}
	if err := ctrstate.Write(root, "app", st); err != nil {
		t.Fatal(err)
	}
	if err := ctrstate.MarkStarted(root, "app", &st, os.Getpid()); err != nil {
		t.Fatal(err)
	}
	spec := &specs.Spec{Linux: &specs.Linux{Namespaces: []specs.LinuxNamespace{
		{Type: specs.PIDNamespace, Path: "/proc/1/ns/pid"}, {Type: specs.MountNamespace},
		{Type: specs.NetworkNamespace, Path: "/proc/1/ns/net"}, {Type: specs.UTSNamespace},
	}}}
	opt := Opt{ID: "me", RunRoot: root, Joins: []Join{{specs.PIDNamespace, "app"}, {specs.NetworkNamespace, "app"}}}
	if err := rejoin(opt, spec, 0); err != nil {
		t.Fatal(err)
	}
	want := []string{fmt.Sprintf("/proc/%d/ns/pid", os.Getpid()), "", fmt.Sprintf("/proc/%d/ns/net", os.Getpid()), ""}
	for i, ns := range spec.Linux.Namespaces {
		if ns.Path != want[i] {
			t.Errorf("%s: %q, want %q", ns.Type, ns.Path, want[i])
		}
	}
	opt.Joins = []Join{{specs.IPCNamespace, "gone"}}
	if err := rejoin(opt, spec, 0); err == nil || !strings.Contains(err.Error(), "gone") {
		t.Errorf("a container that does not run: %v", err)
	}
}
