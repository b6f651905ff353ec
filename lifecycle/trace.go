package lifecycle

import (
	"fmt"
	"os"
	"time"
)

// tracer prints how long each phase of a run took when BURROW_TRACE is
// set: the account behind `make bench`'s numbers.
type tracer struct {
	on   bool
	last time.Time
}

func newTracer() *tracer {
	return &tracer{on: os.Getenv("BURROW_TRACE") != "", last: time.Now()}
}

func (t *tracer) mark(phase string) {
	if !t.on {
		return
	}
	now := time.Now()
	fmt.Fprintf(os.Stderr, "trace: %-16s %6.2f ms\n", phase, float64(now.Sub(t.last).Microseconds())/1000)
	t.last = now
}
