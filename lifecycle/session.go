package lifecycle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"

	"github.com/burrow/burrow/detachkeys"
	"github.com/burrow/burrow/monitor"
	"golang.org/x/sys/unix"
	"golang.org/x/term"
)

// session is this process's side of the client protocol.
type session struct {
	conn       io.ReadWriteCloser
	detached   bool       // the keys were typed
	mu         sync.Mutex // one frame at a time
	signals    chan os.Signal
	restore    func()
	noSigProxy bool
	// finish, if set, takes over a container's end that its monitor offers.
	finish func(code int, started bool) error
}

func newSession(conn io.ReadWriteCloser, noSigProxy bool) *session {
	s := &session{conn: conn, signals: make(chan os.Signal, 16), restore: func() {}, noSigProxy: noSigProxy}
	// Caught before the container exists, so none is lost in between.
	signal.Notify(s.signals, forwardedSignals...)
	return s
}

func (s *session) send(kind byte, p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return monitor.WriteFrame(s.conn, kind, p)
}

func (s *session) resize() {
	ws, err := unix.IoctlGetWinsize(int(os.Stdin.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		ws, err = unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ)
	}
	if err == nil {
		var b [4]byte
		binary.BigEndian.PutUint16(b[:], ws.Row)
		binary.BigEndian.PutUint16(b[2:], ws.Col)
		_ = s.send(monitor.FrameResize, b[:])
	}
}

func (s *session) stop() {
	signal.Stop(s.signals)
	s.restore()
}

// run relays until the exit code comes (returned) or the keys are typed
// (0: the container runs on).
func (s *session) run(keys []byte) (int, error) {
	stdin := int(os.Stdin.Fd())
	if term.IsTerminal(stdin) {
		old, err := term.MakeRaw(stdin)
		if err != nil {
			return 0, fmt.Errorf("set terminal raw: %w", err)
		}
		s.restore = func() { _ = term.Restore(stdin, old) }
	}
	detached := make(chan struct{})
	go func() {
		err := detachkeys.Copy(frameWriter{s}, os.Stdin, keys)
		if errors.Is(err, detachkeys.ErrDetached) {
			close(detached)
		}
		// A terminal's EOF is typed (^D) and reaches it as a byte; the end
		// of a stdin that is no terminal changes nothing either.
	}()
	go s.forward()
	type result struct {
		code int
		err  error
	}
	done := make(chan result, 1)
	go func() {
		code, err := s.receive()
		done <- result{code, err}
	}()
	select {
	case <-detached:
		s.detached = true
		return 0, nil
	case r := <-done:
		return r.code, r.err
	}
}

// receive copies output until the exit frame.
func (s *session) receive() (int, error) {
	for {
		kind, p, err := monitor.ReadFrame(s.conn)
		if err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return 0, monitor.ErrNoExit
			}
			return 0, err
		}
		switch kind {
		case monitor.FrameOutput:
			_, _ = os.Stdout.Write(p)
		case monitor.FrameExit:
			if len(p) == 4 {
				return int(int32(binary.BigEndian.Uint32(p))), nil
			}
		case monitor.FrameFinish:
			if len(p) == 5 && s.finish != nil {
				code := int(int32(binary.BigEndian.Uint32(p)))
				return code, s.finish(code, p[4] == 1)
			}
		}
	}
}

func (s *session) forward() {
	for sig := range s.signals {
		switch {
		case sig == syscall.SIGWINCH:
			s.resize()
		case !s.noSigProxy:
			_ = s.send(monitor.FrameSignal, []byte{byte(sig.(syscall.Signal))})
		}
	}
}

type frameWriter struct{ s *session }

func (w frameWriter) Write(p []byte) (int, error) {
	if err := w.s.send(monitor.FrameInput, p); err != nil {
		return 0, err
	}
	return len(p), nil
}
