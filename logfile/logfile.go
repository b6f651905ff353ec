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
}

// Create opens (appending) the log at path.
func Create(path string) (*Writer, *os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("open log %s: %w", path, err)
	}
	return NewWriter(f), f, nil
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
	w.mu.Lock()
	defer w.mu.Unlock()
	_, err = w.out.Write(append(data, '\n'))
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
