package seccomp

import (
	"os"
	"path/filepath"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestConditionsGrouping(t *testing.T) {
	distinct := []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 1, Value: 2, Op: specs.OpEqualTo}}
	if got, err := conditions(distinct); err != nil || len(got) != 1 || len(got[0]) != 2 {
		t.Errorf("checks on two arguments: %d groups (%v), want one group of 2", len(got), err)
	}
	same := []specs.LinuxSeccompArg{{Index: 0, Value: 1, Op: specs.OpEqualTo}, {Index: 0, Value: 8, Op: specs.OpEqualTo}}
	if got, err := conditions(same); err != nil || len(got) != 2 || len(got[0]) != 1 {
		t.Errorf("two checks on one argument: %d groups (%v), want 2 alternatives", len(got), err)
	}
	if got, _ := conditions(nil); len(got) != 1 || got[0] != nil {
		t.Errorf("no checks: %v, want one unconditional rule", got)
	}
}

func TestActionErrno(t *testing.T) {
	if _, err := action("SCMP_ACT_NOTIFY", nil); err == nil {
		t.Error("SCMP_ACT_NOTIFY accepted; burrow has no listener")
	}
	for _, a := range []specs.LinuxSeccompAction{specs.ActAllow, specs.ActErrno, specs.ActKillProcess, specs.ActLog} {
		if _, err := action(a, nil); err != nil {
			t.Errorf("%s: %v", a, err)
		}
	}
}

func TestProgramDefaultAndCache(t *testing.T) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN"}}}}
	dir := t.TempDir()
	prog, err := Program(spec, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	// docker's profile is several hundred instructions of 8 bytes.
	if len(prog) < 800 || len(prog)%8 != 0 {
		t.Fatalf("default program has %d bytes", len(prog))
	}
	cached, _ := filepath.Glob(filepath.Join(dir, "*.bpf"))
	if len(cached) != 1 {
		t.Fatalf("cache holds %v, want one program", cached)
	}
	// A cached program is what the next call returns, without compiling.
	if err := os.WriteFile(cached[0], make([]byte, 16), 0o600); err != nil {
		t.Fatal(err)
	}
	if again, _ := Program(spec, "", dir); len(again) != 16 {
		t.Errorf("second call compiled again (%d bytes) instead of reading the cache", len(again))
	}
	spec.Process.Capabilities.Bounding = append(spec.Process.Capabilities.Bounding, "CAP_SYS_ADMIN")
	if other, _ := Program(spec, "", dir); len(other) == 16 {
		t.Error("another bounding set got the cached program of the first")
	}
	if none, err := Program(spec, Unconfined, dir); none != nil || err != nil {
		t.Errorf("unconfined: %d bytes, %v", len(none), err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Program(spec, bad, dir); err == nil {
		t.Error("a malformed profile was accepted")
	}
}

// BenchmarkProgramCached is what a create pays for the filter once the
// program is cached.
func BenchmarkProgramCached(b *testing.B) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN", "CAP_KILL"}}}}
	dir := b.TempDir()
	if _, err := Program(spec, "", dir); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Program(spec, "", dir); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProgramCompile is the first create's cost (per boot and profile).
func BenchmarkProgramCompile(b *testing.B) {
	spec := &specs.Spec{Process: &specs.Process{Capabilities: &specs.LinuxCapabilities{Bounding: []string{"CAP_CHOWN", "CAP_KILL"}}}}
	for b.Loop() {
		if _, err := Program(spec, "", b.TempDir()); err != nil {
			b.Fatal(err)
		}
	}
}
