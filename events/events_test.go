package events

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"
)

func TestWriteRead(t *testing.T) {
	dir := t.TempDir()
	for _, a := range []string{"create", "start", "died"} {
		if err := Write(dir, Event{Type: "container", Action: a, ID: "abc", Name: "n"}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err := Read(context.Background(), dir, ReadOptions{}, func(ev Event) error { got = append(got, ev.Action); return nil })
	if err != nil || len(got) != 3 || got[0] != "create" || got[2] != "died" {
		t.Fatalf("read %v, %v", got, err)
	}
	got = nil
	_ = Read(context.Background(), dir, ReadOptions{Until: time.Now().Add(-time.Hour)}, func(ev Event) error { got = append(got, ev.Action); return nil })
	if len(got) != 0 {
		t.Fatalf("until an hour ago: %v", got)
	}
}

// TestRotation: past MaxSize the log moves to events.log.1; reading the
// past finds both, and a follower goes on in the new log.
func TestRotation(t *testing.T) {
	dir := t.TempDir()
	defer func(old int64) { MaxSize = old }(MaxSize)
	MaxSize = 2000
	start := time.Now().Add(-time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var followed []string
	done := make(chan error, 1)
	go func() {
		done <- Read(ctx, dir, ReadOptions{Follow: true}, func(ev Event) error {
			mu.Lock()
			followed = append(followed, ev.Name)
			mu.Unlock()
			return nil
		})
	}()
	time.Sleep(200 * time.Millisecond) // past the follower's seek to the end
	for i := range 40 {
		if err := Write(dir, Event{Type: "volume", Action: "create", ID: fmt.Sprint(i), Name: fmt.Sprint("v", i)}); err != nil {
			t.Fatal(err)
		}
	}
	st, err := os.Stat(Path(dir))
	if err != nil || st.Size() > MaxSize {
		t.Fatalf("log not rotated: %v, %v", st, err)
	}
	if _, err := os.Stat(Path(dir) + ".1"); err != nil {
		t.Fatalf("no rotated log: %v", err)
	}
	var all []string
	if err := Read(context.Background(), dir, ReadOptions{Since: start}, func(ev Event) error { all = append(all, ev.Name); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(all) < 20 || all[len(all)-1] != "v39" {
		t.Fatalf("since across the rotation: %v", all)
	}
	if !waitUntil(func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(followed) > 0 && followed[len(followed)-1] == "v39"
	}) {
		mu.Lock()
		t.Fatalf("the follower stopped at the rotation: %v", followed)
	}
	cancel()
	<-done
}

func waitUntil(cond func() bool) bool {
	for range 50 {
		if cond() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}

// BenchmarkWrite is what one event costs the command that causes it.
func BenchmarkWrite(b *testing.B) {
	dir := b.TempDir()
	ev := Event{Type: "container", Action: "start", ID: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", Name: "name", Image: "docker.io/library/busybox:latest", Attributes: map[string]string{"a": "b"}}
	for b.Loop() {
		if err := Write(dir, ev); err != nil {
			b.Fatal(err)
		}
	}
}
