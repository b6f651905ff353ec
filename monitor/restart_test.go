package monitor

import (
	"errors"
	"testing"
	"time"

	"github.com/burrow/burrow/errdefs"
)

func TestParseRestartPolicy(t *testing.T) {
	for _, c := range []struct {
		in   string
		want RestartPolicy
	}{
		{"", RestartPolicy{Name: "no"}},
		{"no", RestartPolicy{Name: "no"}},
		{"always", RestartPolicy{Name: "always"}},
		{"unless-stopped", RestartPolicy{Name: "unless-stopped"}},
		{"on-failure", RestartPolicy{Name: "on-failure"}},
		{"on-failure:0", RestartPolicy{Name: "on-failure"}},
		{"on-failure:5", RestartPolicy{Name: "on-failure", MaxRetries: 5}},
	} {
		got, err := ParseRestartPolicy(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"sometimes", "on-failure:-1", "on-failure:x", "on-failure:", "always:3", "no:1", "unless-stopped:2", "Always"} {
		if p, err := ParseRestartPolicy(bad); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ParseRestartPolicy(%q) = %+v, %v; want an invalid-argument error", bad, p, err)
		}
	}
}

func TestRestartDecision(t *testing.T) {
	for _, c := range []struct {
		policy         RestartPolicy
		code, restarts int
		want           bool
	}{
		{RestartPolicy{Name: "no"}, 1, 0, false},
		{RestartPolicy{Name: "no"}, 0, 0, false},
		{RestartPolicy{Name: "always"}, 0, 0, true},
		{RestartPolicy{Name: "always"}, 137, 1000, true},
		{RestartPolicy{Name: "unless-stopped"}, 0, 7, true},
		{RestartPolicy{Name: "on-failure"}, 0, 0, false},
		{RestartPolicy{Name: "on-failure"}, 1, 0, true},
		{RestartPolicy{Name: "on-failure"}, 1, 1000, true}, // 0 = no limit
		{RestartPolicy{Name: "on-failure", MaxRetries: 2}, 3, 0, true},
		{RestartPolicy{Name: "on-failure", MaxRetries: 2}, 3, 1, true},
		{RestartPolicy{Name: "on-failure", MaxRetries: 2}, 3, 2, false},
		{RestartPolicy{Name: "on-failure", MaxRetries: 2}, 0, 0, false},
	} {
		if got := c.policy.restart(c.code, c.restarts); got != c.want {
			t.Errorf("%+v after exit %d with %d restarts: restart=%v, want %v", c.policy, c.code, c.restarts, got, c.want)
		}
	}
}

func TestRestartDelay(t *testing.T) {
	ms := time.Millisecond
	for restarts, want := range map[int]time.Duration{
		0: 100 * ms, 1: 100 * ms, 2: 200 * ms, 3: 400 * ms, 4: 800 * ms,
		7: 6400 * ms, 8: 10 * time.Second, 9: 10 * time.Second, 1000: 10 * time.Second,
	} {
		if got := restartDelay(restarts); got != want {
			t.Errorf("restartDelay(%d) = %v, want %v", restarts, got, want)
		}
	}
}
