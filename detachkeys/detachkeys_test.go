package detachkeys

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestDetachKeys(t *testing.T) {
	for _, tc := range []struct {
		keys, in, out string
		detached      bool
	}{
		{Default, "abc", "abc", false},
		{Default, "ab\x10\x11cd", "ab", true},
		{Default, "a\x10b\x10\x10\x11", "a\x10b\x10", true},
		{Default, "a\x10", "a\x10", false},
		{"", "a\x10\x11b", "a\x10\x11b", false},
		{"ctrl-a,x", "1\x01y\x01x2", "1\x01y", true},
	} {
		seq, err := Parse(tc.keys)
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		err = Copy(&out, strings.NewReader(tc.in), seq)
		if out.String() != tc.out || errors.Is(err, ErrDetached) != tc.detached {
			t.Errorf("%q over %q: %q, %v; want %q, detached %v", tc.keys, tc.in, out.String(), err, tc.out, tc.detached)
		}
	}
	for _, bad := range []string{"ctrl-1", "ctrl-", "ab", ",", "ctrl-p,"} {
		if _, err := Parse(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
