package names

import (
	"regexp"
	"testing"
)

// TestValid: the hand-written check says what docker's pattern says.
func TestValid(t *testing.T) {
	docker := regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	for _, name := range []string{"", "a", "Z9", "web_1.b-c", "_a", ".a", "-a", "a b", "a/b", "a:b", "é", "a\x00", "9", "a-", "net.", "ab%"} {
		if got, want := Valid(name), docker.MatchString(name); got != want {
			t.Errorf("Valid(%q) = %v, want %v", name, got, want)
		}
	}
}

func FuzzValid(f *testing.F) {
	docker := regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)
	f.Add("web_1.b-c")
	f.Fuzz(func(t *testing.T, name string) {
		if got, want := Valid(name), docker.MatchString(name); got != want {
			t.Errorf("Valid(%q) = %v, want %v", name, got, want)
		}
	})
}
