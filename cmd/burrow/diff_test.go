package main

import (
	"slices"
	"strings"
	"testing"
)

func TestPSOptions(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "-o uid,pid,ppid,c,stime,tty,time,cmd"},
		{"pid user comm", "-o pid=PID -o user=USER -o comm=COMMAND"},
		{"pid,args", "-o pid=PID -o args=COMMAND"},
		{"-eo pid,args", "-o pid,args"},
		{"-A -o args", "-o args"},
		{"aux", "u"},
		{"-ef", "-f"},
		{"--deselect -o user", "-o user"},
	}
	for _, c := range cases {
		if got := psOptions(strings.Fields(c.in)); !slices.Equal(got, strings.Fields(c.want)) {
			t.Errorf("psOptions(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
