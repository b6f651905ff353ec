package idmap

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSubIDs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		user    string
		uid     uint32
		want    []Range
		wantErr string // substring; empty means no error
	}{
		{name: "by name", in: "alice:100000:65536\n", user: "alice", uid: 1000,
			want: []Range{{100000, 65536}}},
		{name: "by numeric uid", in: "1000:100000:65536\n", user: "alice", uid: 1000,
			want: []Range{{100000, 65536}}},
		{name: "numeric uid with leading zero", in: "01000:5:6\n", user: "alice", uid: 1000,
			want: []Range{{5, 6}}},
		{name: "no user name, uid only", in: "alice:1:2\n1000:3:4\n", user: "", uid: 1000,
			want: []Range{{3, 4}}},
		{name: "several ranges in file order", in: "alice:300000:10\nbob:100000:65536\n1000:200000:20\nalice:100:5\n",
			user: "alice", uid: 1000, want: []Range{{300000, 10}, {200000, 20}, {100, 5}}},
		{name: "comments and blank lines", in: "# header\n\n   \n  # indented comment\nalice:1:2\n\n", user: "alice", uid: 1000,
			want: []Range{{1, 2}}},
		{name: "surrounding space and CRLF", in: "  alice : 10 : 20 \r\n", user: "alice", uid: 1000,
			want: []Range{{10, 20}}},
		{name: "no trailing newline", in: "alice:1:2", user: "alice", uid: 1000,
			want: []Range{{1, 2}}},
		{name: "other users only", in: "bob:100000:65536\n1001:200000:65536\n", user: "alice", uid: 1000},
		{name: "empty input", in: "", user: "alice", uid: 1000},
		{name: "name is not a prefix match", in: "alice2:1:2\nalic:3:4\n", user: "alice", uid: 1000},
		{name: "empty owner matches nobody", in: ":1:2\n", user: "", uid: 0},
		{name: "malformed line of other user skipped",
			in: "bob:xyz:65536\nbob\ncarol:1:2:3\n1001:-1:5\nalice:7:8\n", user: "alice", uid: 1000,
			want: []Range{{7, 8}}},
		{name: "overflow of other user skipped", in: "bob:4294967295:2\nalice:7:8\n", user: "alice", uid: 1000,
			want: []Range{{7, 8}}},
		{name: "malformed start", in: "# c\nalice:abc:65536\n", user: "alice", uid: 1000,
			wantErr: `line 2: start "abc" is not a number`},
		{name: "malformed count", in: "alice:1:\n", user: "alice", uid: 1000,
			wantErr: `line 1: count "" is not a number`},
		{name: "negative count", in: "alice:1:-5\n", user: "alice", uid: 1000,
			wantErr: "line 1: count"},
		{name: "missing fields", in: "bob:1:2\nalice\n", user: "alice", uid: 1000,
			wantErr: "line 2: want owner:start:count"},
		{name: "too many fields", in: "alice:1:2:3\n", user: "alice", uid: 1000,
			wantErr: "line 1: want owner:start:count"},
		{name: "malformed line of user by uid", in: "1000:1\n", user: "alice", uid: 1000,
			wantErr: "line 1:"},
		{name: "start too big for 32 bits", in: "alice:4294967296:1\n", user: "alice", uid: 1000,
			wantErr: "line 1: start"},
		{name: "overflow", in: "alice:4294967295:2\n", user: "alice", uid: 1000,
			wantErr: "line 1: range 4294967295+2 goes past"},
		{name: "range ending exactly at 2^32 is fine", in: "alice:4294901760:65536\n", user: "alice", uid: 1000,
			want: []Range{{4294901760, 65536}}},
		{name: "zero count skipped", in: "alice:100000:0\nalice:200000:5\n", user: "alice", uid: 1000,
			want: []Range{{200000, 5}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSubIDs(strings.NewReader(tt.in), tt.user, tt.uid)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseSubIDsLongLine(t *testing.T) {
	in := "bob:" + strings.Repeat("1", maxLineLen+10) + "\nalice:1:2\n"
	if _, err := ParseSubIDs(strings.NewReader(in), "alice", 1000); err == nil {
		t.Fatal("want an error for a line longer than maxLineLen")
	}
}

func TestParseGetSubIDs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Range
		wantErr string
	}{
		{name: "one range", in: "0: alice 100000 65536\n", want: []Range{{100000, 65536}}},
		{name: "several ranges", in: "0: alice 100000 65536\n1: alice 300000 1000\n",
			want: []Range{{100000, 65536}, {300000, 1000}}},
		{name: "numeric owner, blank lines, no final newline", in: "\n0: 1000 5 6\n\n1: 1000 7 8",
			want: []Range{{5, 6}, {7, 8}}},
		{name: "empty", in: ""},
		{name: "zero count skipped", in: "0: alice 100000 0\n1: alice 5 6\n", want: []Range{{5, 6}}},
		{name: "error text", in: "Error fetching ranges\n", wantErr: "line 1: want"},
		{name: "missing colon", in: "0 alice 100000 65536\n", wantErr: "line 1: want"},
		{name: "bad index", in: "x: alice 1 2\n", wantErr: `index "x"`},
		{name: "too few fields", in: "0: alice 100000\n", wantErr: "line 1: want"},
		{name: "bad start", in: "0: alice 1e5 65536\n", wantErr: `start "1e5"`},
		{name: "bad count", in: "0: alice 1 -1\n1: alice 1 2\n", wantErr: `line 1: count "-1"`},
		{name: "overflow", in: "0: alice 1 2\n1: alice 4294967295 2\n", wantErr: "line 2: range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGetSubIDs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
