// Package health is docker's container healthcheck: the test a container
// runs (from the image's HEALTHCHECK or --health-*), when it runs, how its
// results make a status (starting, healthy, unhealthy), and where that
// status is kept for ps, inspect, the API and compose's depends_on.
package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/errdefs"
)

// docker's defaults.
const (
	DefaultInterval = 30 * time.Second
	DefaultTimeout  = 30 * time.Second
	DefaultRetries  = 3
	keepResults     = 5
	maxOutput       = 4096
)

// Config is a container's healthcheck. Test is docker's: ["CMD", args...],
// ["CMD-SHELL", command] or ["NONE"].
type Config struct {
	Test        []string      `json:"test"`
	Interval    time.Duration `json:"interval,omitempty"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	StartPeriod time.Duration `json:"startPeriod,omitempty"`
	Retries     int           `json:"retries,omitempty"`
	// StartInterval is the time between checks during StartPeriod
	// (docker's --health-start-interval); 0 is Interval.
	StartInterval time.Duration `json:"startInterval,omitempty"`
	// OnFailure is what becoming unhealthy does (podman's
	// --health-on-failure): none (""), kill, stop or restart.
	OnFailure string `json:"onFailure,omitempty"`
	// MaxLogCount and MaxLogSize bound the results kept and each one's
	// output (podman's --health-max-log-*): 0 the defaults, -1 no bound.
	MaxLogCount int `json:"maxLogCount,omitempty"`
	MaxLogSize  int `json:"maxLogSize,omitempty"`
	// Startup is podman's startup healthcheck, run before the regular one.
	Startup *Startup `json:"startup,omitempty"`
}

// Startup runs Test every Interval until it has passed Successes times
// (0: once); then the regular checks begin. Retries failures (0: no
// bound) restart the container.
type Startup struct {
	Test      []string      `json:"test"`
	Interval  time.Duration `json:"interval,omitempty"`
	Timeout   time.Duration `json:"timeout,omitempty"`
	Retries   int           `json:"retries,omitempty"`
	Successes int           `json:"successes,omitempty"`
}

// Options are the --health-* flags of run and create.
type Options struct {
	Cmd         string   // --health-cmd: a shell command
	Test        []string // the API's form, docker's Test (over Cmd)
	Interval    time.Duration
	Timeout     time.Duration
	StartPeriod time.Duration
	Retries     int
	None        bool // --no-healthcheck
	// StartInterval and OnFailure: see Config.
	StartInterval time.Duration
	OnFailure     string
	// MaxLogCount and MaxLogSize, when set: 0 is no bound, as podman reads it.
	MaxLogCount, MaxLogSize *int
	// The --health-startup-* flags.
	StartupCmd                      string
	StartupInterval, StartupTimeout time.Duration
	StartupRetries, StartupSuccess  int
}

// Resolve is the healthcheck a container gets: the flags over the
// image's; nil when there is none or it is turned off.
func Resolve(o Options, image *Config) (*Config, error) {
	if o.None {
		if o.Cmd != "" {
			return nil, fmt.Errorf("%w: --no-healthcheck conflicts with --health-cmd", errdefs.ErrInvalidArgument)
		}
		return nil, nil
	}
	if o.Interval < 0 || o.Timeout < 0 || o.StartPeriod < 0 || o.Retries < 0 || o.StartInterval < 0 {
		return nil, fmt.Errorf("%w: --health-interval, --health-timeout, --health-start-period, --health-start-interval and --health-retries cannot be negative", errdefs.ErrInvalidArgument)
	}
	switch o.OnFailure {
	case "", "none", "kill", "stop", "restart":
	default:
		return nil, fmt.Errorf("%w: --health-on-failure %s: want none, kill, stop or restart", errdefs.ErrInvalidArgument, o.OnFailure)
	}
	var c Config
	if image != nil {
		c = *image
	}
	if o.Cmd != "" {
		c.Test = []string{"CMD-SHELL", o.Cmd}
	}
	if len(o.Test) > 0 {
		c.Test = o.Test
	}
	if o.Interval > 0 {
		c.Interval = o.Interval
	}
	if o.Timeout > 0 {
		c.Timeout = o.Timeout
	}
	if o.StartPeriod > 0 {
		c.StartPeriod = o.StartPeriod
	}
	if o.Retries > 0 {
		c.Retries = o.Retries
	}
	if o.StartInterval > 0 {
		c.StartInterval = o.StartInterval
	}
	if o.OnFailure != "" && o.OnFailure != "none" {
		c.OnFailure = o.OnFailure
	}
	for _, b := range []struct {
		flag string
		v    *int
		into *int
	}{{"--health-max-log-count", o.MaxLogCount, &c.MaxLogCount}, {"--health-max-log-size", o.MaxLogSize, &c.MaxLogSize}} {
		switch {
		case b.v == nil:
		case *b.v < 0:
			return nil, fmt.Errorf("%w: %s cannot be negative", errdefs.ErrInvalidArgument, b.flag)
		case *b.v == 0:
			*b.into = -1
		default:
			*b.into = *b.v
		}
	}
	startupSet := o.StartupInterval != 0 || o.StartupTimeout != 0 || o.StartupRetries != 0 || o.StartupSuccess != 0
	if len(c.Test) == 0 || c.Test[0] == "NONE" {
		if o.StartupCmd != "" || startupSet {
			return nil, fmt.Errorf("%w: --health-startup-* need a healthcheck (--health-cmd or the image's) to hand over to", errdefs.ErrInvalidArgument)
		}
		return nil, nil
	}
	if err := o.startup(&c, startupSet); err != nil {
		return nil, err
	}
	if _, err := c.Command(); err != nil {
		return nil, err
	}
	if c.Interval == 0 {
		c.Interval = DefaultInterval
	}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	}
	return &c, nil
}

// Command is the argv the test runs.
func (c Config) Command() ([]string, error) {
	switch {
	case len(c.Test) >= 2 && c.Test[0] == "CMD":
		return c.Test[1:], nil
	case len(c.Test) == 2 && c.Test[0] == "CMD-SHELL":
		return []string{"/bin/sh", "-c", c.Test[1]}, nil
	}
	return nil, fmt.Errorf("%w: healthcheck test %q: want [CMD, args...] or [CMD-SHELL, command]", errdefs.ErrInvalidArgument, c.Test)
}

// Statuses, in docker's words.
const (
	Starting  = "starting"
	Healthy   = "healthy"
	Unhealthy = "unhealthy"
)

// Result is one run of the test.
type Result struct {
	Start    time.Time `json:"Start"`
	End      time.Time `json:"End"`
	ExitCode int       `json:"ExitCode"`
	Output   string    `json:"Output"`
}

// State is docker's .State.Health.
type State struct {
	Status        string   `json:"Status"`
	FailingStreak int      `json:"FailingStreak"`
	Log           []Result `json:"Log"`
}

// Record adds a result: success makes the container healthy; a failure
// counts towards Retries, except while the start period lasts and the
// container has not yet been healthy.
func (s *State) Record(r Result, c Config, started time.Time) {
	if s.Status == "" {
		s.Status = Starting
	}
	if size := bound(c.MaxLogSize, maxOutput); size > 0 && len(r.Output) > size {
		r.Output = r.Output[:size]
	}
	s.Log = append(s.Log, r)
	if keep := bound(c.MaxLogCount, keepResults); keep > 0 && len(s.Log) > keep {
		s.Log = s.Log[len(s.Log)-keep:]
	}
	if r.ExitCode == 0 {
		s.Status, s.FailingStreak = Healthy, 0
		return
	}
	if s.Status == Starting && r.Start.Sub(started) < c.StartPeriod {
		return
	}
	s.FailingStreak++
	if s.FailingStreak >= c.Retries {
		s.Status = Unhealthy
	}
}

func file(runRoot, id string) string { return filepath.Join(runRoot, "health", id+".json") }

// Read is the container's status; false when it has none (no check, or
// not started).
func Read(runRoot, id string) (State, bool) {
	data, err := os.ReadFile(file(runRoot, id))
	if err != nil {
		return State{}, false
	}
	var s State
	return s, json.Unmarshal(data, &s) == nil
}

// Write keeps the status where every command reads it.
func Write(runRoot, id string, s State) error {
	if err := os.MkdirAll(filepath.Join(runRoot, "health"), 0o700); err != nil {
		return err
	}
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return atomicfile.Write(file(runRoot, id), data, 0o600)
}

// Remove drops the status when the container stops.
func Remove(runRoot, id string) { _ = os.Remove(file(runRoot, id)) }

// RemoveStale drops the statuses of containers that alive says no live
// process owns: a killed monitor leaves its container's behind.
func RemoveStale(runRoot string, alive func(id string) bool) {
	dir := filepath.Join(runRoot, "health")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	atomicfile.RemoveStale(dir)
	for _, en := range entries {
		if id, ok := strings.CutSuffix(en.Name(), ".json"); ok && !alive(id) {
			_ = os.Remove(filepath.Join(dir, en.Name()))
		}
	}
}

// limitedBuffer keeps the first maxOutput bytes of a test's output.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Output trims what a test printed as docker shows it.
func Output(b *limitedBuffer) string { return strings.TrimRight(b.String(), "\n") }

// bound is a MaxLog* value: 0 the default, -1 none (0 returned).
func bound(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// startup sets c.Startup from the --health-startup-* flags.
func (o Options) startup(c *Config, set bool) error {
	switch {
	case o.StartupCmd == "" && set:
		return fmt.Errorf("%w: --health-startup-interval, -timeout, -retries and -success need --health-startup-cmd", errdefs.ErrInvalidArgument)
	case o.StartupCmd == "":
		return nil
	case o.StartupInterval < 0 || o.StartupTimeout < 0 || o.StartupRetries < 0 || o.StartupSuccess < 0:
		return fmt.Errorf("%w: --health-startup-* cannot be negative", errdefs.ErrInvalidArgument)
	}
	s := &Startup{Test: []string{"CMD-SHELL", o.StartupCmd}, Interval: o.StartupInterval, Timeout: o.StartupTimeout,
		Retries: o.StartupRetries, Successes: o.StartupSuccess}
	if s.Interval == 0 {
		s.Interval = DefaultInterval
	}
	if s.Timeout == 0 {
		s.Timeout = DefaultTimeout
	}
	c.Startup = s
	return nil
}
