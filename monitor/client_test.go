package monitor

import (
	"bytes"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestFrames(t *testing.T) {
	var b bytes.Buffer
	for _, f := range []struct {
		kind byte
		p    string
	}{{FrameInput, "ls\r"}, {FrameResize, "\x00\x18\x00\x50"}, {FrameExit, ""}} {
		if err := WriteFrame(&b, f.kind, []byte(f.p)); err != nil {
			t.Fatal(err)
		}
		kind, p, err := ReadFrame(&b)
		if err != nil || kind != f.kind || string(p) != f.p {
			t.Fatalf("%c %q: read %c %q %v", f.kind, f.p, kind, p, err)
		}
	}
	if _, _, err := ReadFrame(bytes.NewReader([]byte{FrameOutput, 0xff, 0, 0, 0})); err == nil {
		t.Fatal("a frame over the limit was read")
	}
}

// TestHandOver: the end is the client's only when it answered FrameTaken,
// even when it closes right after (both are seen at once).
func TestHandOver(t *testing.T) {
	for _, tc := range []struct {
		name   string
		answer bool
	}{{"taken", true}, {"detached", false}} {
		t.Run(tc.name, func(t *testing.T) {
			fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			peer := os.NewFile(uintptr(fds[1]), "peer")
			c := newClient(os.NewFile(uintptr(fds[0]), "client"))
			go func() {
				if kind, p, err := ReadFrame(peer); err != nil || kind != FrameFinish || len(p) != 5 || p[4] != 1 {
					t.Errorf("offer: %c %v %v", kind, p, err)
				}
				if tc.answer {
					_ = WriteFrame(peer, FrameTaken, nil)
				}
				peer.Close()
			}()
			if got := c.handOver(3, true); got != tc.answer {
				t.Fatalf("handOver: %v", got)
			}
		})
	}
}
