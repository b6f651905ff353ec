package main

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// parseLimitArgs runs parseLimits on the flags as update would see them.
func parseLimitArgs(t *testing.T, args ...string) (engine.Limits, error) {
	t.Helper()
	var got engine.Limits
	var perr error
	app := &cli.App{Name: "t", Flags: limitFlags(), Action: func(c *cli.Context) error {
		got, perr = parseLimits(c)
		return nil
	}}
	if err := app.Run(append([]string{"t"}, args...)); err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	return got, perr
}

func TestParseLimits(t *testing.T) {
	for _, c := range []struct {
		args []string
		want engine.Limits
	}{
		{nil, engine.Limits{}},
		{[]string{"--memory", "64m"}, engine.Limits{Memory: 64 << 20}},
		{[]string{"--memory", "6m"}, engine.Limits{Memory: 6 << 20}},
		{[]string{"--memory", "1g", "--memory-swap", "2g"}, engine.Limits{Memory: 1 << 30, MemorySwap: 2 << 30}},
		{[]string{"--memory-swap", "-1"}, engine.Limits{MemorySwap: -1}},
		{[]string{"--cpus", "1.5", "--cpu-shares", "512", "--cpuset-cpus", "0-1"}, engine.Limits{CPUs: 1.5, CPUShares: 512, CpusetCPUs: "0-1"}},
		{[]string{"--cpu-shares", "2"}, engine.Limits{CPUShares: 2}},
		{[]string{"--cpu-shares", "262144"}, engine.Limits{CPUShares: 262144}},
		{[]string{"--pids-limit", "-1"}, engine.Limits{PidsLimit: -1}},
		{[]string{"--pids-limit", "100"}, engine.Limits{PidsLimit: 100}},
		{[]string{"--blkio-weight", "10"}, engine.Limits{BlkioWeight: 10}},
		{[]string{"--blkio-weight", "1000"}, engine.Limits{BlkioWeight: 1000}},
	} {
		got, err := parseLimitArgs(t, c.args...)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%v: %+v, %v; want %+v", c.args, got, err, c.want)
		}
	}
	for _, bad := range [][]string{
		{"--memory", "5m"}, {"--memory", "lots"}, {"--memory-swap", "128m"}, {"--memory", "64m", "--memory-swap", "x"},
		{"--cpus", "-1"}, {"--cpu-shares", "1"}, {"--cpu-shares", "262145"},
		{"--blkio-weight", "9"}, {"--blkio-weight", "1001"},
	} {
		if got, err := parseLimitArgs(t, bad...); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%v: %+v, %v; want an invalid-argument error", bad, got, err)
		}
	}
}

func TestPSFilterParsing(t *testing.T) {
	got, err := parsePSFilters([]string{"status=running", "name=web", "label=a=b", "label=k", "ancestor=busybox", "exited=0", "id=abc"})
	want := []psFilter{{key: "status", value: "running"}, {key: "name", value: "web"}, {key: "label", value: "a=b"}, {key: "label", value: "k"}, {key: "ancestor", value: "busybox"}, {key: "exited", value: "0"}, {key: "id", value: "abc"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parsePSFilters = %v, %v; want %v", got, err, want)
	}
	for _, bad := range []string{"bogus=1", "name", "exited", "=x", "Name=web"} {
		if f, err := parsePSFilters([]string{bad}); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("parsePSFilters(%q) = %v, %v; want an invalid-argument error", bad, f, err)
		}
	}
}

func TestPSFilterMatching(t *testing.T) {
	exited3 := engine.Container{ID: "abcdef0123", Record: engine.Record{Name: "web-1", ImageName: "busybox", ImageID: "feed0123",
		ExitCode: 3, Finished: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Labels: map[string]string{"tier": "web", "empty": ""}}}
	running := engine.Container{ID: "0123abcdef", Running: true, Owned: true, Record: engine.Record{Name: "db", ImageName: "postgres:16", ImageID: "beef4567"}}
	created := engine.Container{ID: "9999", Record: engine.Record{Name: "fresh", ImageName: "busybox", ImageID: "feed0123"}}
	for _, c := range []struct {
		filter string
		want   []string // names that match, of exited3, running, created
	}{
		{"status=exited", []string{"web-1"}},
		{"status=running", []string{"db"}},
		{"status=created", []string{"fresh"}},
		{"name=web", []string{"web-1"}}, // part of a name
		{"name=e", []string{"web-1", "fresh"}},
		{"id=0123", []string{"db"}}, // a prefix, not any part
		{"ancestor=busybox", []string{"web-1", "fresh"}},
		{"ancestor=feed", []string{"web-1", "fresh"}}, // an image ID prefix
		{"ancestor=postgres:16", []string{"db"}},
		{"ancestor=0123", nil},
		{"exited=3", []string{"web-1"}},
		{"exited=0", nil}, // the running and the created container have no exit code yet
		{"label=tier", []string{"web-1"}},
		{"label=tier=web", []string{"web-1"}},
		{"label=tier=db", nil},
		{"label=empty=", []string{"web-1"}},
	} {
		fs, err := parsePSFilters([]string{c.filter})
		if err != nil {
			t.Fatalf("%s: %v", c.filter, err)
		}
		var got []string
		for _, ctr := range []engine.Container{exited3, running, created} {
			if matchesAll(ctr, fs) {
				got = append(got, ctr.Record.Name)
			}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("filter %s matches %v, want %v", c.filter, got, c.want)
		}
	}
	// Every filter must match.
	fs, _ := parsePSFilters([]string{"ancestor=busybox", "status=exited"})
	if !matchesAll(exited3, fs) || matchesAll(created, fs) {
		t.Error("two filters are not both applied")
	}
}
