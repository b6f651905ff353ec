package idmap

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func fullAliceMapping(uidmap, gidmap string) Mapping {
	return Mapping{
		UIDs:      []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}},
		GIDs:      []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1001, Size: 1}, {ContainerID: 1, HostID: 200000, Size: 10}},
		NewUIDMap: uidmap,
		NewGIDMap: gidmap,
	}
}

func TestApplyRunsHelpers(t *testing.T) {
	log := filepath.Join(t.TempDir(), "log")
	record := `echo "$(basename "$0") $*" >> ` + log
	m := fullAliceMapping(fakeScript(t, "newuidmap", record), fakeScript(t, "newgidmap", record))
	if err := Apply(1234, m); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	want := "newuidmap 1234 0 1000 1 1 100000 65536\nnewgidmap 1234 0 1001 1 1 200000 10\n"
	if string(got) != want {
		t.Errorf("helpers ran as\n%s\nwant\n%s", got, want)
	}
}

func TestApplyHelperFailure(t *testing.T) {
	fail := fakeScript(t, "newuidmap", `echo "  newuidmap: write to uid_map failed: Operation not permitted  " >&2; exit 1`)
	m := fullAliceMapping(fail, fakeScript(t, "newgidmap", "exit 0"))
	err := Apply(1234, m)
	want := "newuidmap 1234 0 1000 1 1 100000 65536: newuidmap: write to uid_map failed: Operation not permitted: exit status 1"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant  %s", err, want)
	}
}

func TestApplyGIDHelperFailureNoStderr(t *testing.T) {
	m := fullAliceMapping(fakeScript(t, "newuidmap", "exit 0"), fakeScript(t, "newgidmap", "exit 3"))
	err := Apply(42, m)
	want := "newgidmap 42 0 1001 1 1 200000 10: exit status 3"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}

func TestApplyMissingHelper(t *testing.T) {
	err := Apply(42, fullAliceMapping("", ""))
	if err == nil || !strings.Contains(err.Error(), "newuidmap not found") || !strings.Contains(err.Error(), "uidmap") {
		t.Fatalf("err = %v", err)
	}
}

func TestApplyRejectsBadInput(t *testing.T) {
	if err := Apply(0, fullAliceMapping("x", "y")); err == nil {
		t.Error("want an error for pid 0")
	}
	if err := Apply(42, Mapping{SingleID: true}); err == nil {
		t.Error("want an error for an empty mapping")
	}
}

func TestApplySingleIDNoProcess(t *testing.T) {
	m := Mapping{UIDs: singleID(1000), GIDs: singleID(1000), SingleID: true}
	// Pid max is at most 2^22, so this pid cannot exist.
	err := Apply(1<<30, m)
	if err == nil || !strings.Contains(err.Error(), "/proc/1073741824/") {
		t.Fatalf("err = %v, want one naming the /proc path", err)
	}
}

func TestMapLines(t *testing.T) {
	got := mapLines([]specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}, {ContainerID: 1, HostID: 100000, Size: 65536}})
	if want := "0 1000 1\n1 100000 65536\n"; got != want {
		t.Errorf("mapLines = %q, want %q", got, want)
	}
}
