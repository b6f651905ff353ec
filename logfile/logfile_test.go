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

// Lines logs what Copy logs, however the bytes are cut into writes.
func TestLinesMatchesCopy(t *testing.T) {
	input := "one\ntwo\n\nthree and a half " + strings.Repeat("x", 100) + "\nno newline"
	var want bytes.Buffer
	ref := NewWriter(&want)
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	ref.now = func() time.Time { return fixed }
	if err := ref.Copy("stderr", strings.NewReader(input)); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 2, 3, 7, 64, len(input)} {
		var got bytes.Buffer
		w := NewWriter(&got)
		w.now = ref.now
		l := w.Lines("stderr")
		for rest := input; rest != ""; {
			n := min(size, len(rest))
			if _, err := l.Write([]byte(rest[:n])); err != nil {
				t.Fatal(err)
			}
			rest = rest[n:]
		}
		if err := l.Close(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("writes of %d bytes logged\n%s\nwant\n%s", size, got.String(), want.String())
		}
	}
}

// A line longer than maxLine is logged in pieces, none bigger than a write
// past the limit, and nothing is lost.
func TestLinesLongLine(t *testing.T) {
	var buf bytes.Buffer
	l := NewWriter(&buf).Lines("stdout")
	chunk := []byte(strings.Repeat("y", 4096))
	for range 40 {
		if _, err := l.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Write([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	var total, entries int
	if err := Read(&buf, func(e Entry) error { total += len(e.Log); entries++; return nil }); err != nil {
		t.Fatal(err)
	}
	if total != 40*4096+1 || entries < 3 {
		t.Errorf("logged %d bytes in %d entries, want %d in 3 or more", total, entries, 40*4096+1)
	}
}
