package monitor

import (
	"io"
	"net"
	"os"
	"sync"
	"syscall"
)

// clients are the commands attached to a container's terminal: the one
// that started it (run -it, start -ai) and those that attach later on a
// terminal; all see the same output.
type clients struct {
	mu     sync.Mutex
	all    []*client
	term   *os.File
	signal func(syscall.Signal) error
}

func (cs *clients) add(c *client) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	live := cs.all[:0]
	for _, o := range cs.all {
		if !o.detached() {
			live = append(live, o)
		}
	}
	cs.all = append(live, c)
	c.attach(cs.term, cs.signal)
}

// attach makes the running process every client's peer (nil: none).
func (cs *clients) attach(term *os.File, signal func(syscall.Signal) error) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.term, cs.signal = term, signal
	for _, c := range cs.all {
		c.attach(term, signal)
	}
}

func (cs *clients) release() { cs.attach(nil, nil) }

// Write passes output to every attached client; it never fails.
func (cs *clients) Write(p []byte) (int, error) {
	cs.mu.Lock()
	all := append([]*client(nil), cs.all...)
	cs.mu.Unlock()
	for _, c := range all {
		_, _ = c.Write(p)
	}
	return len(p), nil
}

// exit tells every client but except the exit code.
func (cs *clients) exit(code int, except *client) {
	cs.mu.Lock()
	all := append([]*client(nil), cs.all...)
	cs.mu.Unlock()
	for _, c := range all {
		if c != except {
			c.exit(code)
		}
	}
}

// DialClient attaches to a running container's terminal through its
// monitor's attach socket; the connection then speaks the client
// protocol (no FrameFinish: the end stays the monitor's).
func DialClient(path string) (*net.UnixConn, error) {
	c, err := dialUnix(path)
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(c, "client\n"); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}
