package logfile

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestCopyAndRead(t *testing.T) {
	var buf bytes.Buffer
	w := NewWriter(&buf)
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	w.now = func() time.Time { return fixed }
	if err := w.Copy("stdout", strings.NewReader("one\ntwo\npartial")); err != nil {
		t.Fatal(err)
	}
	if err := w.Copy("stderr", strings.NewReader("err\n")); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(`{"log":"torn`) // a crash mid-write
	var got []Entry
	if err := Read(&buf, func(e Entry) error { got = append(got, e); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"one\n", "stdout", fixed}, {"two\n", "stdout", fixed}, {"partial", "stdout", fixed}, {"err\n", "stderr", fixed}}
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadRejectsGarbage(t *testing.T) {
	if err := Read(strings.NewReader("not json\n"), func(Entry) error { return nil }); err == nil {
		t.Fatal("garbage line accepted")
	}
}
