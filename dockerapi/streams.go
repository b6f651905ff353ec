package dockerapi

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/burrow/burrow/engine"
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
// from now until it stops. burrow's monitor keeps no stdin, so what the
// client sends is read and dropped.
func (s *Server) attach(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		writeError(w, http.StatusInternalServerError, fmt.Errorf("connection cannot be hijacked"))
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	upgrade := r.Header.Get("Upgrade") != ""
	status := "200 OK"
	if upgrade {
		status = "101 UPGRADED"
	}
	fmt.Fprintf(buf, "HTTP/1.1 %s\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n", status)
	if upgrade {
		fmt.Fprintf(buf, "Connection: Upgrade\r\nUpgrade: tcp\r\n")
	}
	fmt.Fprintf(buf, "\r\n")
	if err := buf.Flush(); err != nil {
		return
	}
	go func() { _, _ = io.Copy(io.Discard, bufio.NewReader(conn)) }()
	if !boolParam(r, "stream") {
		return
	}
	fw := &frameWriter{w: conn}
	_ = s.eng.Logs(r.Context(), c.ID, engine.LogsOptions{Attach: true, Tail: -1},
		entryWriter(fw, boolParam(r, "stdout"), boolParam(r, "stderr"), false))
	// A client that half-closed its side reads the end of the stream.
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
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
