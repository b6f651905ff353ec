package imageio

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"
)

type entry struct {
	name, link string
	typ        byte
	body       string
}

func layerTar(t *testing.T, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Linkname: e.link, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body))}
		if e.typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// oldGNUSparse is a layer with one old-GNU sparse entry (type 'S'),
// written by hand: Go's writer does not write sparse files.
func oldGNUSparse() []byte {
	b := make([]byte, 512)
	copy(b, "holes.bin")
	copy(b[100:], "0000644\x00")
	copy(b[124:], fmt.Sprintf("%011o\x00", 512)) // the data stored
	copy(b[136:], fmt.Sprintf("%011o\x00", 0))
	b[156] = tar.TypeGNUSparse
	copy(b[257:], "ustar  \x00")                   // GNU magic
	copy(b[386:], fmt.Sprintf("%011o\x00", 0))     // sparse[0].offset
	copy(b[398:], fmt.Sprintf("%011o\x00", 512))   // sparse[0].numbytes
	copy(b[483:], fmt.Sprintf("%011o\x00", 1<<30)) // real size
	copy(b[148:156], "        ")
	sum := 0
	for _, c := range b {
		sum += int(c)
	}
	copy(b[148:], fmt.Sprintf("%06o\x00 ", sum))
	out := append(b, bytes.Repeat([]byte("d"), 512)...)
	return append(out, make([]byte, 1024)...)
}

func TestCheckLayer(t *testing.T) {
	for _, c := range []struct {
		name   string
		layer  []byte
		refuse string // the entry named, "" to pass
	}{
		{"plain", layerTar(t, entry{name: "a", typ: tar.TypeReg, body: "x"}, entry{name: "b", link: "./a", typ: tar.TypeLink}), ""},
		{"old GNU sparse", oldGNUSparse(), `"holes.bin"`},
		{"dangling hard link", layerTar(t, entry{name: "l", link: "../etc/passwd", typ: tar.TypeLink}), `"l"`},
		{"link before its target", layerTar(t, entry{name: "l", link: "a", typ: tar.TypeLink}, entry{name: "a", typ: tar.TypeReg}), `"l"`},
		{"twice", layerTar(t, entry{name: "d", typ: tar.TypeReg}, entry{name: "./d", typ: tar.TypeReg}), `"./d"`},
		{"not a tar", []byte(`{"config": {}}`), ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := checkStream(bytes.NewReader(c.layer), "L")
			if c.refuse == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if c.refuse != "" && (err == nil || !strings.Contains(err.Error(), "entry "+c.refuse)) {
				t.Fatalf("want a refusal naming %s, got %v", c.refuse, err)
			}
		})
	}
}

func TestCheckLayerCompressed(t *testing.T) {
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	_, _ = w.Write(oldGNUSparse())
	_ = w.Close()
	if err := checkStream(&gz, "L"); err == nil || !strings.Contains(err.Error(), "sparse") {
		t.Fatalf("a gzipped sparse layer: %v", err)
	}
}

// TestCheckedBlob: a pulled blob reads through unchanged when it passes,
// and fails with the refusal when it does not.
func TestCheckedBlob(t *testing.T) {
	good := layerTar(t, entry{name: "a", typ: tar.TypeReg, body: strings.Repeat("y", 100000)})
	got, err := io.ReadAll(newCheckedBlob(io.NopCloser(bytes.NewReader(good)), "good"))
	if err != nil || !bytes.Equal(got, good) {
		t.Fatalf("a passing blob: %d bytes of %d, %v", len(got), len(good), err)
	}
	bad := append(oldGNUSparse(), make([]byte, 1<<20)...)
	if _, err := io.ReadAll(newCheckedBlob(io.NopCloser(bytes.NewReader(bad)), "bad")); err == nil || !strings.Contains(err.Error(), "sparse") {
		t.Fatalf("a sparse blob: %v", err)
	}
	// A config blob passes whole.
	cfg := []byte(`{"architecture":"amd64"}`)
	if got, err := io.ReadAll(newCheckedBlob(io.NopCloser(bytes.NewReader(cfg)), "cfg")); err != nil || !bytes.Equal(got, cfg) {
		t.Fatalf("a config blob: %q, %v", got, err)
	}
}
