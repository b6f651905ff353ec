package lifecycle

import (
	"errors"
	"reflect"
	"syscall"
	"testing"
	"time"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/errdefs"
)

func TestParseSignal(t *testing.T) {
	for in, want := range map[string]syscall.Signal{
		"TERM": syscall.SIGTERM, "SIGTERM": syscall.SIGTERM, "sigterm": syscall.SIGTERM, "term": syscall.SIGTERM,
		"KILL": syscall.SIGKILL, "usr1": syscall.SIGUSR1, "SIGHUP": syscall.SIGHUP, "WINCH": syscall.SIGWINCH,
		"9": syscall.SIGKILL, "15": syscall.SIGTERM, "1": syscall.SIGHUP, "64": syscall.Signal(64),
	} {
		if got, err := ParseSignal(in); err != nil || got != want {
			t.Errorf("ParseSignal(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0", "65", "-1", "NOPE", "SIG", "9x", "TERM9"} {
		if got, err := ParseSignal(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ParseSignal(%q) = %v, %v; want an invalid-argument error", bad, got, err)
		}
	}
}

func TestContainerStatus(t *testing.T) {
	finished := Record{Finished: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), RestartPolicy: "always"}
	for _, c := range []struct {
		c    Container
		want string
	}{
		{Container{}, "created"},
		{Container{Record: finished}, "exited"},
		{Container{Running: true, Owned: true}, "running"},
		{Container{Running: true, Owned: true, Record: finished}, "running"}, // restarted after a first exit
		{Container{Owned: true, Record: finished}, "restarting"},             // its monitor waits out the back-off
		{Container{Owned: true, Record: Record{RestartPolicy: "on-failure:3"}}, "restarting"},
		{Container{Owned: true}, "stopping"}, // no policy: its owner records the end
		{Container{Owned: true, Record: Record{RestartPolicy: "no"}}, "stopping"},
	} {
		if got := c.c.Status(); got != c.want {
			t.Errorf("%+v: Status = %q, want %q", c.c, got, c.want)
		}
	}
}

func TestMergeLimits(t *testing.T) {
	old := cgroupv2.Limits{Memory: 64 << 20, MemorySwap: 128 << 20, CPUs: 0.5, CPUShares: 512, CpusetCPUs: "0",
		PidsLimit: 50, BlkioWeight: 300,
		DeviceReadBps:  []cgroupv2.DeviceRate{{Path: "/dev/vda", Rate: 1 << 20}, {Path: "/dev/vdb", Rate: 2 << 20}},
		DeviceWriteBps: []cgroupv2.DeviceRate{{Path: "/dev/vda", Rate: 3 << 20}}}
	// Nothing changed: everything kept.
	if got := mergeLimits(old, cgroupv2.Limits{}); !reflect.DeepEqual(got, old) {
		t.Errorf("merging no change: %+v, want %+v", got, old)
	}
	changed := cgroupv2.Limits{Memory: 256 << 20, PidsLimit: -1, CpusetCPUs: "1",
		DeviceReadBps:  []cgroupv2.DeviceRate{{Path: "/dev/vdb", Rate: 5 << 20}, {Path: "/dev/vdc", Rate: 6 << 20}},
		DeviceWriteBps: []cgroupv2.DeviceRate{{Path: "/dev/vdc", Rate: 7 << 20}}}
	want := cgroupv2.Limits{Memory: 256 << 20, MemorySwap: 128 << 20, CPUs: 0.5, CPUShares: 512, CpusetCPUs: "1",
		PidsLimit: -1, BlkioWeight: 300,
		// A device's new rate replaces its old one; other devices keep theirs.
		DeviceReadBps:  []cgroupv2.DeviceRate{{Path: "/dev/vda", Rate: 1 << 20}, {Path: "/dev/vdb", Rate: 5 << 20}, {Path: "/dev/vdc", Rate: 6 << 20}},
		DeviceWriteBps: []cgroupv2.DeviceRate{{Path: "/dev/vda", Rate: 3 << 20}, {Path: "/dev/vdc", Rate: 7 << 20}}}
	if got := mergeLimits(old, changed); !reflect.DeepEqual(got, want) {
		t.Errorf("mergeLimits:\n got %+v\nwant %+v", got, want)
	}
}
