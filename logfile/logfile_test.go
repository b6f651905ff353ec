package logfile

import (
	"bytes"
	"os"
	"slices"
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

func TestRotation(t *testing.T) {
	path := t.TempDir() + "/ctr.log"
	rot := Rotation{MaxSize: 200, MaxFiles: 3}
	w, closeLog, err := Create(path, rot)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := w.Copy("stdout", strings.NewReader(strings.Repeat("x", 40)+"\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := closeLog(); err != nil {
		t.Fatal(err)
	}
	files := Files(path, rot)
	// Oldest first, the live file last.
	if want := []string{path + ".2", path + ".1", path}; !slices.Equal(files, want) {
		t.Fatalf("Files = %v, want %v (max-file=3)", files, want)
	}
	total := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > 200 {
			t.Errorf("%s has %d bytes, over max-size 200", f, len(data))
		}
		total += strings.Count(string(data), "\n")
	}
	if total >= 20 || total == 0 {
		t.Errorf("kept %d lines: rotation should have dropped the oldest", total)
	}
}
