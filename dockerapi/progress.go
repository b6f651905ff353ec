package dockerapi

import (
	"encoding/json"
	"net/http"
	"sync"
)

// jsonStream writes docker's progress stream: one JSON object a line,
// flushed as it goes.
type jsonStream struct {
	mu sync.Mutex
	w  http.ResponseWriter
}

func (j *jsonStream) send(v any) {
	j.mu.Lock()
	defer j.mu.Unlock()
	_ = json.NewEncoder(j.w).Encode(v)
	if f, ok := j.w.(http.Flusher); ok {
		f.Flush()
	}
}

// Write passes the build's step lines on as {"stream": ...}.
func (j *jsonStream) Write(p []byte) (int, error) {
	j.send(map[string]string{"stream": string(p)})
	return len(p), nil
}

func (j *jsonStream) fail(err error) {
	j.send(map[string]any{"errorDetail": map[string]string{"message": err.Error()}, "error": err.Error()})
}
