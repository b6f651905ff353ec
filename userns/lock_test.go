package userns

import (
	"slices"
	"testing"
)

func TestLockHolders(t *testing.T) {
	locks := `1: FLOCK  ADVISORY  READ  4242 fd:01:5678 0 EOF
2: FLOCK  ADVISORY  READ  100 fd:01:5678 0 EOF
3: POSIX  ADVISORY  WRITE 77 fd:01:5678 0 EOF
4: FLOCK  ADVISORY  WRITE 55 fd:01:15678 0 EOF
4: -> FLOCK  ADVISORY  WRITE 66 fd:01:5678 0 EOF
5: FLOCK  ADVISORY  READ  4242 fd:01:5678 0 EOF
6: FLOCK  ADVISORY  READ  88 fd:01:56789 0 EOF
`
	got := lockHolders(locks, 5678, 100)
	if want := []int{4242, 66}; !slices.Equal(got, want) {
		t.Errorf("holders of 5678 = %v, want %v (not self, not POSIX, not other inodes, each once)", got, want)
	}
	if got := lockHolders("", 5678, 1); len(got) != 0 {
		t.Errorf("no locks: %v", got)
	}
}
