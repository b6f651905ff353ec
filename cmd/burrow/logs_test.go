package main

import (
	"testing"
	"time"
)

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	w, err := parseWindow("10m", "2026-11-23T11:55:00Z", now)
	if err != nil {
		t.Fatal(err)
	}
	cases := map[time.Time]bool{
		now.Add(-11 * time.Minute): false,
		now.Add(-10 * time.Minute): true,
		now.Add(-6 * time.Minute):  true,
		now.Add(-5 * time.Minute):  false,
	}
	for at, want := range cases {
		if got := w.contains(at); got != want {
			t.Errorf("contains(%v) = %v, want %v", at, got, want)
		}
	}
	if w, err := parseWindow("1700000000", "", now); err != nil || !w.since.Equal(time.Unix(1700000000, 0)) {
		t.Errorf("unix timestamp: %v %v", w, err)
	}
	for _, bad := range []string{"yesterday", "10x", "-"} {
		if _, err := parseWindow(bad, "", now); err == nil {
			t.Errorf("--since %q accepted", bad)
		}
	}
}
