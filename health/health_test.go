package health

import (
	"errors"
	"testing"
	"time"

	"github.com/burrow/burrow/errdefs"
)

func TestResolve(t *testing.T) {
	image := &Config{Test: []string{"CMD", "check"}, Interval: time.Minute}
	c, err := Resolve(Options{}, image)
	if err != nil || c == nil || c.Test[0] != "CMD" || c.Interval != time.Minute || c.Timeout != DefaultTimeout || c.Retries != DefaultRetries {
		t.Errorf("the image's check with defaults: %+v %v", c, err)
	}
	c, _ = Resolve(Options{Cmd: "curl -f localhost", Interval: time.Second, Retries: 5}, image)
	if argv, _ := c.Command(); len(argv) != 3 || argv[0] != "/bin/sh" || argv[2] != "curl -f localhost" || c.Retries != 5 || c.Interval != time.Second {
		t.Errorf("flags over the image's: %+v", c)
	}
	if c, err := Resolve(Options{None: true}, image); c != nil || err != nil {
		t.Errorf("--no-healthcheck: %+v %v", c, err)
	}
	if c, err := Resolve(Options{Test: []string{"NONE"}}, image); c != nil || err != nil {
		t.Errorf("NONE: %+v %v", c, err)
	}
	for name, o := range map[string]Options{
		"none and cmd":      {None: true, Cmd: "x"},
		"negative interval": {Cmd: "x", Interval: -time.Second},
		"bad test":          {Test: []string{"SHELL", "x"}},
		"empty CMD":         {Test: []string{"CMD"}},
	} {
		if _, err := Resolve(o, nil); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestRecord follows docker's rules: retries failures in a row make it
// unhealthy, one success healthy, and failures in the start period do
// not count until it has been healthy once.
func TestRecord(t *testing.T) {
	c := Config{Retries: 2, StartPeriod: 10 * time.Second}
	started := time.Now()
	var s State
	fail := func(at time.Duration) { s.Record(Result{Start: started.Add(at), ExitCode: 1}, c, started) }
	pass := func(at time.Duration) { s.Record(Result{Start: started.Add(at), ExitCode: 0}, c, started) }
	fail(time.Second)
	fail(2 * time.Second)
	if s.Status != Starting || s.FailingStreak != 0 {
		t.Fatalf("failures in the start period counted: %+v", s)
	}
	fail(11 * time.Second)
	if s.Status != Starting || s.FailingStreak != 1 {
		t.Fatalf("after the start period: %+v", s)
	}
	fail(12 * time.Second)
	if s.Status != Unhealthy {
		t.Fatalf("two failures in a row: %+v", s)
	}
	pass(13 * time.Second)
	if s.Status != Healthy || s.FailingStreak != 0 {
		t.Fatalf("a success: %+v", s)
	}
	for i := 0; i < 10; i++ {
		pass(time.Duration(14+i) * time.Second)
	}
	if len(s.Log) != keepResults {
		t.Errorf("kept %d results, want %d", len(s.Log), keepResults)
	}
	fail(30 * time.Second)
	if s.Status != Healthy || s.FailingStreak != 1 {
		t.Errorf("one failure after healthy: %+v", s)
	}
}
