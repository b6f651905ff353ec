package monitor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// ClientFD is where a monitor started for a foreground `run -it` (or
// `start -ai`, `exec -it`) finds its client: one end of a stream socket
// pair whose other end the burrow command in the user's terminal holds.
// Both sides send frames: a kind byte, a big-endian uint32 length, the
// payload.
//
//	client → monitor   FrameInput   bytes for the terminal
//	                   FrameResize  rows, cols (uint16 each)
//	                   FrameSignal  one byte: a signal for the process
//	                   FrameTaken   the client owns the container's end now
//	monitor → client   FrameOutput  bytes the terminal showed
//	                   FrameFinish  int32 exit code, 1 byte started: the
//	                                container is done; the client may take
//	                                its end (record, unmount, --rm) over
//	                   FrameExit    int32 exit code, once the end is recorded; last
//
// A container's monitor offers the end with FrameFinish: a client that
// answers FrameTaken has made itself the container's owner in its
// run-time state and finishes in its own process (no `burrow __finish`
// to start, which costs a whole burrow start-up and store open); the
// monitor exits at once. Without the answer (a detach), the monitor
// finishes itself.
//
// The client closing its end is a detach: the process runs on, its output
// logged (a container) or drained (an exec'd command), and nothing is sent
// any more.
const ClientFD = 5

// Frame kinds of the client protocol.
const (
	FrameInput  byte = 'i'
	FrameResize byte = 'r'
	FrameSignal byte = 's'
	FrameTaken  byte = 'F'
	FrameOutput byte = 'o'
	FrameFinish byte = 'f'
	FrameExit   byte = 'x'
)

// maxFrame bounds a payload, so a confused peer cannot make the other
// side allocate without limit.
const maxFrame = 1 << 20

// WriteFrame sends one frame.
func WriteFrame(w io.Writer, kind byte, payload []byte) error {
	hdr := make([]byte, 5, 5+len(payload))
	hdr[0] = kind
	binary.BigEndian.PutUint32(hdr[1:], uint32(len(payload)))
	_, err := w.Write(append(hdr, payload...))
	return err
}

// ReadFrame reads one frame.
func ReadFrame(r io.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n > maxFrame {
		return 0, nil, fmt.Errorf("client frame of %d bytes", n)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(r, buf); err != nil {
		return 0, nil, err
	}
	return hdr[0], buf, nil
}

// client is the monitor's side of an attached foreground command.
type client struct {
	r    io.Reader
	conn io.WriteCloser
	mu   sync.Mutex
	gone bool // detached (or dead): nothing is sent any more
	// goneCh is closed with gone; taken once the client took the end over.
	goneCh, taken chan struct{}
	takeOnce      sync.Once
	// The process the client talks to, once it runs; a resize that came
	// first waits in size.
	term   *os.File
	signal func(syscall.Signal) error
	size   *unix.Winsize
}

// openClient takes the client at ClientFD and starts reading what it sends.
func openClient() *client {
	// Inherited without close-on-exec: the container's init or the exec
	// helper started from here must not hold the client's socket.
	unix.CloseOnExec(ClientFD)
	return newClient(os.NewFile(ClientFD, "client"))
}

func newClient(conn *os.File) *client { return newClientRW(conn, conn) }

// newClientRW reads frames from r (which may hold what a first line's
// reader buffered) and writes them to conn.
func newClientRW(r io.Reader, conn io.WriteCloser) *client {
	c := &client{r: r, conn: conn, goneCh: make(chan struct{}), taken: make(chan struct{})}
	go c.read()
	return c
}

func (c *client) read() {
	for {
		kind, p, err := ReadFrame(c.r)
		if err != nil {
			c.detach()
			return
		}
		c.mu.Lock()
		term, signal := c.term, c.signal
		switch kind {
		case FrameResize:
			if len(p) == 4 {
				c.size = &unix.Winsize{Row: binary.BigEndian.Uint16(p), Col: binary.BigEndian.Uint16(p[2:])}
				if term != nil {
					_ = unix.IoctlSetWinsize(int(term.Fd()), unix.TIOCSWINSZ, c.size)
				}
			}
		case FrameSignal:
			if len(p) == 1 && signal != nil {
				_ = signal(syscall.Signal(p[0]))
			}
		}
		c.mu.Unlock()
		if kind == FrameTaken {
			c.takeOnce.Do(func() { close(c.taken) })
		}
		if kind == FrameInput && term != nil {
			// Outside the lock: a full terminal blocks only the input.
			_, _ = term.Write(p)
		}
	}
}

// attach makes the running process the client's peer.
func (c *client) attach(term *os.File, signal func(syscall.Signal) error) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.term, c.signal = term, signal
	if c.size != nil && term != nil {
		_ = unix.IoctlSetWinsize(int(term.Fd()), unix.TIOCSWINSZ, c.size)
	}
}

// release forgets the process (it ended, or a restart replaces it).
func (c *client) release() { c.attach(nil, nil) }

// detached says whether the client has gone.
func (c *client) detached() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gone
}

func (c *client) detach() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.gone {
		c.gone = true
		close(c.goneCh)
	}
}

// handOver offers an attached client the container's end; true: the
// client took it, and this monitor has nothing left to do.
func (c *client) handOver(code int, started bool) bool {
	if c == nil || c.detached() {
		return false
	}
	var b [5]byte
	binary.BigEndian.PutUint32(b[:], uint32(int32(code)))
	if started {
		b[4] = 1
	}
	if WriteFrame(c.conn, FrameFinish, b[:]) != nil {
		return false
	}
	select {
	case <-c.taken:
		return true
	case <-c.goneCh:
		// Frames are read in order: a FrameTaken before the end counts.
		select {
		case <-c.taken:
			return true
		default:
			return false
		}
	}
}

// Write passes output on while the client is attached; it never fails,
// so the log copy it tees from goes on after a detach.
func (c *client) Write(p []byte) (int, error) {
	if c == nil {
		return len(p), nil
	}
	c.mu.Lock()
	gone := c.gone
	c.mu.Unlock()
	if !gone && WriteFrame(c.conn, FrameOutput, p) != nil {
		c.detach()
	}
	return len(p), nil
}

// exit tells an attached client the exit code, last.
func (c *client) exit(code int) {
	if c == nil {
		return
	}
	c.mu.Lock()
	gone := c.gone
	c.mu.Unlock()
	if !gone {
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(int32(code)))
		_ = WriteFrame(c.conn, FrameExit, b[:])
	}
	c.conn.Close()
}

// ErrNoExit is a client's error when its monitor ended without an exit code.
var ErrNoExit = errors.New("the monitor ended without an exit code")
