package monitor

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// The attach socket (ctrstate.AttachPath) carries what docker's attach and
// resize send to a running container. Each connection opens with one line:
//
//	stdin\n              then the bytes for the container's stdin, until EOF
//	resize ROWS COLS\n   sets the terminal's size; the monitor closes
//	output\n             (Opt.Live) the monitor answers ok\n, then sends each
//	                     entry of the output, as the json-file log has it,
//	                     until the monitor ends
//	client\n             then the client protocol (ClientFD's, without
//	                     FrameFinish): a terminal attached live
//
// With StdinOnce, the first stdin connection's EOF closes the container's
// stdin (a pipe; a terminal stays open, its EOF is the ^D in the stream).

// attachServer holds the container's current stdin: the write end of its
// pipe, or its pty master. A restart replaces it.
type attachServer struct {
	l    net.Listener
	once bool
	mu   sync.Mutex
	cond *sync.Cond
	in   *os.File
	tty  bool
	gone bool // the monitor is done
	outs map[chan []byte]bool
	// clients get the terminal's output as it comes.
	clients *clients
}

// outputBacklog is how many entries a slow output reader may fall behind
// before it is dropped: the container's output must never wait for it.
const outputBacklog = 4096

// listenAttach serves path until stop; the socket is the user's alone.
func listenAttach(path string, once bool, cs *clients) (*attachServer, error) {
	_ = os.Remove(path)
	l, err := listenUnix(path)
	if err != nil {
		return nil, fmt.Errorf("attach socket: %w", err)
	}
	s := &attachServer{l: l, once: once, outs: map[chan []byte]bool{}, clients: cs}
	s.cond = sync.NewCond(&s.mu)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s, nil
}

// set makes f the container's stdin (nil between runs).
func (s *attachServer) set(f *os.File, tty bool) {
	s.mu.Lock()
	s.in, s.tty = f, tty
	s.mu.Unlock()
	s.cond.Broadcast()
}

func (s *attachServer) stop(path string) {
	s.l.Close()
	_ = os.Remove(path)
	s.mu.Lock()
	s.gone = true
	for ch := range s.outs {
		close(ch)
		delete(s.outs, ch)
	}
	s.mu.Unlock()
	s.cond.Broadcast()
}

// broadcast hands an output entry to every output reader.
func (s *attachServer) broadcast(line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ch := range s.outs {
		select {
		case ch <- append([]byte(nil), line...):
		default:
			close(ch) // its reader sees the stream end
			delete(s.outs, ch)
		}
	}
}

// sendOutput streams the output to c until the monitor ends or c goes.
func (s *attachServer) sendOutput(c net.Conn) {
	ch := make(chan []byte, outputBacklog)
	s.mu.Lock()
	if s.gone {
		s.mu.Unlock()
		return
	}
	s.outs[ch] = true
	s.mu.Unlock()
	drop := func() {
		s.mu.Lock()
		if s.outs[ch] {
			close(ch)
			delete(s.outs, ch)
		}
		s.mu.Unlock()
	}
	if _, err := io.WriteString(c, "ok\n"); err != nil {
		drop()
		return
	}
	for line := range ch {
		if _, err := c.Write(line); err != nil {
			drop()
			for range ch { // drain what was queued before the drop
			}
			return
		}
	}
}

// current waits for a stdin to write to.
func (s *attachServer) current() (*os.File, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.in == nil && !s.gone {
		s.cond.Wait()
	}
	return s.in, s.tty
}

func (s *attachServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	line, err := r.ReadString('\n')
	if err != nil {
		return
	}
	f := strings.Fields(line)
	switch {
	case len(f) == 3 && f[0] == "resize":
		rows, err1 := strconv.ParseUint(f[1], 10, 16)
		cols, err2 := strconv.ParseUint(f[2], 10, 16)
		// Not waiting for a terminal: between runs there is none to size.
		s.mu.Lock()
		if err1 == nil && err2 == nil && s.tty && s.in != nil {
			_ = unix.IoctlSetWinsize(int(s.in.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: uint16(rows), Col: uint16(cols)})
		}
		s.mu.Unlock()
	case len(f) == 1 && f[0] == "output":
		s.sendOutput(c)
	case len(f) == 1 && f[0] == "client" && s.clients != nil:
		cl := newClientRW(r, c)
		s.clients.add(cl)
		<-cl.goneCh // a detach, or the exit (which closes c)
	case len(f) == 1 && f[0] == "stdin":
		in, tty := s.current()
		if in == nil {
			return
		}
		_, _ = io.Copy(in, r)
		if s.once && !tty {
			s.mu.Lock()
			if s.in == in {
				s.in = nil
				in.Close()
			}
			s.mu.Unlock()
		}
	}
}

// AttachStdin connects to the monitor of a running container: what is
// written goes to the container's stdin; closing the write side is EOF.
func AttachStdin(path string) (*net.UnixConn, error) {
	c, err := dialUnix(path)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, "stdin\n"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// AttachOutput follows a running container's output (Opt.Live): the
// connection carries json-file log lines until the monitor ends. It
// returns once the monitor passes on everything that follows.
func AttachOutput(path string) (*net.UnixConn, error) {
	c, err := dialUnix(path)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, "output\n"); err != nil {
		c.Close()
		return nil, err
	}
	var ack [3]byte
	if _, err := io.ReadFull(c, ack[:]); err != nil || string(ack[:]) != "ok\n" {
		c.Close()
		return nil, fmt.Errorf("attach to the output: the container's monitor is gone")
	}
	return c, nil
}

// Resize sets the terminal size of a running container.
func Resize(path string, rows, cols uint16) error {
	c, err := dialUnix(path)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := fmt.Fprintf(c, "resize %d %d\n", rows, cols); err != nil {
		return err
	}
	// Wait for the monitor to have applied it (it closes).
	_, _ = io.Copy(io.Discard, c)
	return nil
}

// A socket path is limited to 108 bytes, and run roots can be long: the
// name goes through the directory's descriptor instead.
func listenUnix(path string) (net.Listener, error) {
	var l net.Listener
	err := viaDir(path, func(short string) (err error) {
		if l, err = net.Listen("unix", short); err == nil {
			err = os.Chmod(short, 0o600)
		}
		return err
	})
	if ul, ok := l.(*net.UnixListener); ok {
		ul.SetUnlinkOnClose(false)
	}
	return l, err
}

func dialUnix(path string) (*net.UnixConn, error) {
	var c net.Conn
	err := viaDir(path, func(short string) (err error) {
		c, err = net.Dial("unix", short)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.(*net.UnixConn), nil
}

func viaDir(path string, fn func(short string) error) error {
	dir, err := os.OpenFile(filepath.Dir(path), unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer dir.Close()
	return fn(fmt.Sprintf("/proc/self/fd/%d/%s", dir.Fd(), filepath.Base(path)))
}
