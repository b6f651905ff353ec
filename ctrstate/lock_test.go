package ctrstate

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestLockFileExcludes: a second holder waits for the first; a file
// removed while it waits (its container deleted) is not what it holds.
func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lock")
	unlock, err := LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), 1)
	go func() {
		u, err := LockFile(path)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	select {
	case <-got:
		t.Fatal("a second LockFile did not wait for the first")
	case <-time.After(200 * time.Millisecond):
	}
	// The holder removes the file (as a deletion of its container would)
	// and releases: the waiter must hold the file at path, made anew.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	unlock()
	unlock() // a second call is harmless
	var second func()
	select {
	case second = <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the waiter did not get the lock")
	}
	defer second()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the waiter holds no file at %s: %v", path, err)
	}
	// A third must wait for the second: they hold the same file.
	third := make(chan struct{})
	go func() {
		u, err := LockFile(path)
		if err == nil {
			u()
		}
		close(third)
	}()
	select {
	case <-third:
		t.Fatal("a third LockFile got the lock the second holds")
	case <-time.After(200 * time.Millisecond):
	}
	second()
	<-third
}
