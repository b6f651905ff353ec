package idmap

import (
	"strings"
	"testing"
)

func FuzzParseSubIDs(f *testing.F) {
	seeds := []string{
		"alice:100000:65536\n",
		"1000:100000:65536\nalice:1:2\n",
		"# comment\n\nalice:4294967295:1\n",
		"alice:4294967295:2\n",
		"alice:0:0\nbob:x:y\n",
		"alice\n",
		" alice : 1 : 2 \r\n",
	}
	for _, s := range seeds {
		f.Add(s, "alice", uint32(1000))
	}
	f.Fuzz(func(t *testing.T, in, user string, uid uint32) {
		ranges, err := ParseSubIDs(strings.NewReader(in), user, uid)
		if err != nil {
			if ranges != nil {
				t.Fatalf("ranges %v returned with error %v", ranges, err)
			}
			return
		}
		for _, r := range ranges {
			if r.Count == 0 {
				t.Fatalf("zero-count range returned: %v", r)
			}
			if uint64(r.Start)+uint64(r.Count) > 1<<32 {
				t.Fatalf("range overflows: %v", r)
			}
		}
	})
}
