package ocispec

import "testing"

func TestParseLabel(t *testing.T) {
	for _, ok := range []string{"disable", "nested", "type:container_t", "user:system_u", "role:object_r",
		"filetype:container_file_t", "level:s0", "level:s0:c1,c2", "level:s0-s0:c0.c1023", "level:s0:c5.c10"} {
		if _, err := ParseLabel(ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "bogus", "type:", "type:a b", "type", "level:c1", "level:s0:c", "level:s0:c1,", "user:x:y", "disabled", "type:$(x)"} {
		if _, err := ParseLabel(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
}
