package events

import (
	"context"
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
