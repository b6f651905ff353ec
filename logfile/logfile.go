// Package logfile writes and reads container logs in docker's json-file
// format: one JSON object per line with the text, the stream (stdout or
// stderr) and a timestamp, so stdout and stderr stay apart and tools that
// read docker's logs can read ours.
package logfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Entry is one line of output.
type Entry struct {
	Log    string    `json:"log"`
	Stream string    `json:"stream"`
	Time   time.Time `json:"time"`
}

// Writer appends entries to a log file; its streams may be written from
// several goroutines.
type Writer struct {
	mu  sync.Mutex
	out io.Writer
	now func() time.Time
	rot *rotation
	tee func([]byte)
}

// Tee passes every entry, as the line written, to fn as well (in order,
// under the writer's lock: fn must not block).
func (w *Writer) Tee(fn func(line []byte)) {
	w.mu.Lock()
	w.tee = fn
	w.mu.Unlock()
}

// Rotation is --log-opt max-size and max-file: past MaxSize bytes the log
// moves to PATH.1 (older ones to .2 …), keeping MaxFiles files in all.
type Rotation struct {
	MaxSize  int64
	MaxFiles int
}

type rotation struct {
	Rotation
	path string
	file *os.File
	size int64
}

// Create opens (appending) the log at path; a zero Rotation never rotates.
func Create(path string, r Rotation) (*Writer, func() error, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log %s: %w", path, err)
	}
	w := NewWriter(f)
	if r.MaxSize > 0 {
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		w.rot = &rotation{Rotation: r, path: path, file: f, size: fi.Size()}
	}
	return w, func() error {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.rot != nil {
			return w.rot.file.Close()
		}
		return f.Close()
	}, nil
}

// Files lists a log's files, oldest first, as Create with r leaves them.
func Files(path string, r Rotation) []string {
	var files []string
	for i := r.MaxFiles - 1; i >= 1; i-- {
		name := fmt.Sprintf("%s.%d", path, i)
		if _, err := os.Stat(name); err == nil {
			files = append(files, name)
		}
	}
	return append(files, path)
}

// rotate moves the full log aside and starts an empty one.
func (r *rotation) rotate() error {
	if err := r.file.Close(); err != nil {
		return err
	}
	if r.MaxFiles <= 1 {
		if err := os.Truncate(r.path, 0); err != nil {
			return err
		}
	} else {
		for i := r.MaxFiles - 1; i >= 1; i-- {
			from := r.path
			if i > 1 {
				from = fmt.Sprintf("%s.%d", r.path, i-1)
			}
			if err := os.Rename(from, fmt.Sprintf("%s.%d", r.path, i)); err != nil && !os.IsNotExist(err) {
				return err
			}
		}
	}
	f, err := os.OpenFile(r.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	r.file, r.size = f, 0
	return nil
}

// NewWriter writes entries to out.
func NewWriter(out io.Writer) *Writer {
	return &Writer{out: out, now: func() time.Time { return time.Now().UTC() }}
}

func (w *Writer) write(stream string, line []byte) error {
	data, err := json.Marshal(Entry{Log: string(line), Stream: stream, Time: w.now()})
	if err != nil {
		return err
	}
	data = append(data, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.tee != nil {
		w.tee(data)
	}
	if r := w.rot; r != nil {
		if r.size > 0 && r.size+int64(len(data)) > r.MaxSize {
			if err := r.rotate(); err != nil {
				return fmt.Errorf("rotate log: %w", err)
			}
		}
		r.size += int64(len(data))
		_, err = r.file.Write(data)
		return err
	}
	_, err = w.out.Write(data)
	return err
}

// Copy reads r to its end and logs each line under stream; a last line
// without a newline is logged as it is.
func (w *Writer) Copy(stream string, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			if werr := w.write(stream, line); werr != nil {
				return werr
			}
		}
		switch {
		case err == bufio.ErrBufferFull:
			continue // a very long line is logged in pieces, as docker does
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// Read calls fn for each entry in r; a torn last line (a crash while
// writing) ends the log quietly.
func Read(r io.Reader, fn func(Entry) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 && err == nil {
			var e Entry
			if jerr := json.Unmarshal(line, &e); jerr != nil {
				return fmt.Errorf("parse log line: %w", jerr)
			}
			if ferr := fn(e); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// CopyChunks logs what each read of r returns as one entry: a terminal's
// output, where a prompt has no newline and must not wait for one (docker
// logs a tty's output the same way).
func (w *Writer) CopyChunks(stream string, r io.Reader) error {
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			if werr := w.write(stream, buf[:n]); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Chunks is an io.Writer that logs each write under stream as one entry,
// as CopyChunks does for each read.
func (w *Writer) Chunks(stream string) io.Writer { return chunks{w, stream} }

type chunks struct {
	w      *Writer
	stream string
}

func (c chunks) Write(p []byte) (int, error) { return len(p), c.w.write(c.stream, p) }

// Lines is an io.WriteCloser that logs what is written to it under one
// stream, a line per entry, as Copy does for a reader: a writer for a copy
// that also passes the bytes elsewhere as they come.
type Lines struct {
	w       *Writer
	stream  string
	partial []byte
}

// maxLine is where a line without a newline is logged in pieces (Copy's
// buffer size).
const maxLine = 64 << 10

// Lines logs what is written to the result under stream; Close logs a last
// line that has no newline.
func (w *Writer) Lines(stream string) *Lines { return &Lines{w: w, stream: stream} }

func (l *Lines) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			l.partial = append(l.partial, p...)
			if len(l.partial) >= maxLine {
				return n, l.flush()
			}
			return n, nil
		}
		line := p[:i+1]
		if len(l.partial) > 0 {
			l.partial = append(l.partial, line...)
			line = l.partial
		}
		if err := l.w.write(l.stream, line); err != nil {
			return n, err
		}
		l.partial = l.partial[:0]
		p = p[i+1:]
	}
	return n, nil
}

func (l *Lines) flush() error {
	if len(l.partial) == 0 {
		return nil
	}
	err := l.w.write(l.stream, l.partial)
	l.partial = l.partial[:0]
	return err
}

// Close logs what is left of the last line.
func (l *Lines) Close() error { return l.flush() }
