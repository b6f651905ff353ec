package dockerapi

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
)

// frameWriter writes docker's multiplexed stream: an 8-byte header (stream
// 1 stdout or 2 stderr, three zero bytes, big-endian length) per chunk.
type frameWriter struct {
	mu    sync.Mutex
	w     io.Writer
	flush func()
}

func (f *frameWriter) write(stream byte, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var hdr [8]byte
	hdr[0] = stream
	binary.BigEndian.PutUint32(hdr[4:], uint32(len(p)))
	if _, err := f.w.Write(hdr[:]); err != nil {
		return err
	}
	if _, err := f.w.Write(p); err != nil {
		return err
	}
	if f.flush != nil {
		f.flush()
	}
	return nil
}

// entryWriter passes log entries of the wanted streams on as frames.
func entryWriter(f *frameWriter, stdout, stderr, timestamps bool) func(engine.LogEntry) error {
	return func(en engine.LogEntry) error {
		stream := byte(1)
		if en.Stream == "stderr" {
			stream = 2
		}
		if (stream == 1 && !stdout) || (stream == 2 && !stderr) {
			return nil
		}
		line := en.Log
		if timestamps {
			line = en.Time.Format(time.RFC3339Nano) + " " + line
		}
		return f.write(stream, []byte(line))
	}
}

func unixParam(v string) time.Time {
	if v == "" || v == "0" {
		return time.Time{}
	}
	secs, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return time.Time{}
	}
	return time.Unix(0, int64(secs*1e9))
}

func (s *Server) logs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	tail := -1
	if n, err := strconv.Atoi(q.Get("tail")); err == nil && n >= 0 {
		tail = n
	}
	w.Header().Set("Content-Type", "application/vnd.docker.multiplexed-stream")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	fw := &frameWriter{w: w, flush: func() {
		if fl != nil {
			fl.Flush()
		}
	}}
	fw.flush()
	_ = s.eng.Logs(r.Context(), c.ID, engine.LogsOptions{
		Follow: boolParam(r, "follow"), Tail: tail, Since: unixParam(q.Get("since")), Until: unixParam(q.Get("until")),
	}, entryWriter(fw, boolParam(r, "stdout"), boolParam(r, "stderr"), boolParam(r, "timestamps")))
}

// attach hijacks the connection and streams what the container writes
// from now until it stops: raw with a terminal, else in frames. With
// stdin=1, what the client sends goes to the container's stdin once it
// runs (it must have been created with OpenStdin), else it is dropped.
func (s *Server) attach(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	if boolParam(r, "stdin") && !c.Record.OpenStdin {
		fail(w, fmt.Errorf("%w: container %s was created without OpenStdin: it has no stdin to attach to", errdefs.ErrInvalidArgument, c.Record.Name))
		return
	}
	ctype := "application/vnd.docker.multiplexed-stream"
	if c.Record.Terminal {
		ctype = "application/vnd.docker.raw-stream"
	}
	conn, in, ok := hijack(w, r, ctype)
	if !ok {
		return
	}
	defer conn.Close()
	done, following := make(chan struct{}), make(chan struct{})
	defer close(done)
	stream := boolParam(r, "stream")
	if !stream {
		close(following)
	}
	if boolParam(r, "stdin") {
		go s.forwardStdin(c.ID, in, following, done)
	} else {
		go func() { _, _ = io.Copy(io.Discard, in) }()
	}
	if !stream {
		return
	}
	write := entryWriter(&frameWriter{w: conn}, boolParam(r, "stdout"), boolParam(r, "stderr"), false)
	if c.Record.Terminal {
		write = func(en engine.LogEntry) error { _, err := io.WriteString(conn, en.Log); return err }
	}
	// The request's context ends when the client half-closes (its stdin's
	// end), which must not end the output: a write that fails ends it.
	_ = s.eng.Logs(context.WithoutCancel(r.Context()), c.ID, engine.LogsOptions{Attach: true, Tail: -1,
		Following: func() { close(following) }}, write)
	// A client that half-closed its side reads the end of the stream.
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}

// hijack takes the connection over, answering as docker does (101 when the
// client asked for an upgrade); in reads what the client sends.
func hijack(w http.ResponseWriter, r *http.Request, ctype string) (net.Conn, io.Reader, bool) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Errorf("connection cannot be hijacked"))
		return nil, nil, false
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return nil, nil, false
	}
	if r.Header.Get("Upgrade") != "" {
		fmt.Fprintf(buf, "HTTP/1.1 101 UPGRADED\r\nContent-Type: %s\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n", ctype)
	} else {
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n", ctype)
	}
	if err := buf.Flush(); err != nil {
		conn.Close()
		return nil, nil, false
	}
	return conn, buf.Reader, true
}

// forwardStdin waits for the output to be followed and for the container
// to run (docker clients attach before they start it), then copies in to
// its stdin until in ends.
func (s *Server) forwardStdin(id string, in io.Reader, following, done <-chan struct{}) {
	select {
	case <-following:
	case <-done:
		return
	}
	for {
		c, err := s.eng.Container(id)
		if err != nil {
			return
		}
		if c.Running {
			break
		}
		select {
		case <-done:
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
	sock, err := s.eng.AttachStdin(id)
	if err != nil {
		return
	}
	defer sock.Close()
	go func() { <-done; sock.Close() }()
	_, _ = io.Copy(sock, in)
	_ = sock.CloseWrite()
	_, _ = io.Copy(io.Discard, sock) // the monitor closes once stdin is delivered
}

// copyStream copies to w, flushing as it goes.
func copyStream(w http.ResponseWriter, r io.Reader) (int64, error) {
	fl, _ := w.(http.Flusher)
	buf := make([]byte, 64<<10)
	var n int64
	for {
		m, err := r.Read(buf)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
			if fl != nil {
				fl.Flush()
			}
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}
