package errdefs

import (
	"errors"
	"fmt"
	"testing"
)

type coded struct{ code int }

func (c coded) Error() string { return "coded" }
func (c coded) ExitCode() int { return c.code }

func TestExitCode(t *testing.T) {
	cases := []struct {
		err  error
		want int
	}{
		{nil, 0},
		{errors.New("anything"), 125},
		{fmt.Errorf("run: %w", ErrCommandNotFound), 127},
		{fmt.Errorf("run: %w", ErrCannotExecute), 126},
		{fmt.Errorf("start: %w", coded{3}), 3},
		{fmt.Errorf("x: %w", ErrImageUnknown), 125},
	}
	for _, c := range cases {
		if got := ExitCode(c.err); got != c.want {
			t.Errorf("ExitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}

func TestReason(t *testing.T) {
	err := fmt.Errorf("%q: %w", "/x", Reason("is a directory", ErrCannotExecute))
	if err.Error() != `"/x": is a directory` || ExitCode(err) != ExitCannotExec {
		t.Errorf("%v: exit %d", err, ExitCode(err))
	}
}
