// Package dockerapi serves the Docker Engine API over a unix socket, from
// the engine: the docker CLI, compose, the SDKs and testcontainers drive
// burrow unchanged. It maps requests onto engine options and engine values
// onto the API's types (github.com/moby/moby/api), and nothing else.
package dockerapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/burrow/burrow/dockerapi/apiversion"
	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
)

// APIVersion is the newest API version served; MinAPIVersion the oldest.
const (
	APIVersion    = apiversion.Version
	MinAPIVersion = apiversion.Min
)

// Server answers API requests with one open engine.
type Server struct {
	eng     *engine.Engine
	version string
	mux     *http.ServeMux
	// mu serializes the calls that change the store; waits, logs and
	// attaches run beside them.
	mu sync.Mutex
	// active counts requests in flight, last is when the last one ended
	// (for --time).
	active atomic.Int64
	last   atomic.Int64
	execs  execs
}

// New makes a server over an open engine; version is burrow's.
func New(e *engine.Engine, version string) *Server {
	s := &Server{eng: e, version: version, mux: http.NewServeMux()}
	s.routes()
	s.last.Store(time.Now().UnixNano())
	return s
}

// Serve answers on l until it is closed, or until the server has been
// idle for idle (0: forever).
func (s *Server) Serve(l net.Listener, idle time.Duration) error {
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	if idle > 0 {
		go func() {
			for range time.Tick(idle / 10) {
				last := time.Unix(0, s.last.Load())
				if s.active.Load() == 0 && time.Since(last) > idle {
					l.Close()
					return
				}
			}
		}()
	}
	err := srv.Serve(l)
	if errors.Is(err, net.ErrClosed) || errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

var versionPrefix = regexp.MustCompile(`^/v(\d+\.\d+)(/.*)$`)

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.active.Add(1)
	defer func() { s.active.Add(-1); s.last.Store(time.Now().UnixNano()) }()
	if m := versionPrefix.FindStringSubmatch(r.URL.Path); m != nil {
		if !versionInRange(m[1]) {
			writeError(w, http.StatusBadRequest, fmt.Errorf("client version %s is not supported: burrow serves %s to %s", m[1], MinAPIVersion, APIVersion))
			return
		}
		r.URL.Path = m[2]
		r.URL.RawPath = ""
	}
	h := w.Header()
	h.Set("Api-Version", APIVersion)
	h.Set("Docker-Experimental", "false")
	h.Set("Ostype", "linux")
	h.Set("Server", "burrow/"+s.version)
	s.mux.ServeHTTP(w, r)
}

func versionInRange(v string) bool {
	return compareVersions(v, MinAPIVersion) >= 0 && compareVersions(v, APIVersion) <= 0
}

func compareVersions(a, b string) int {
	var am, an, bm, bn int
	fmt.Sscanf(a, "%d.%d", &am, &an)
	fmt.Sscanf(b, "%d.%d", &bm, &bn)
	if am != bm {
		return am - bm
	}
	return an - bn
}

// locked runs fn with the store lock held.
func (s *Server) locked(fn func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fn()
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers with docker's {"message": ...} body.
func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"message": err.Error()})
}

// fail maps an engine error onto an HTTP status.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, errdefs.ErrImageUnknown), errors.Is(err, errdefs.ErrContainerUnknown), errors.Is(err, os.ErrNotExist),
		errors.Is(err, engine.ErrNetworkUnknown):
		status = http.StatusNotFound
	case errors.Is(err, errdefs.ErrNameInUse), errors.Is(err, errdefs.ErrInUse):
		status = http.StatusConflict
	case errors.Is(err, errdefs.ErrInvalidArgument):
		status = http.StatusBadRequest
	}
	writeError(w, status, err)
}

func boolParam(r *http.Request, name string) bool {
	v := r.URL.Query().Get(name)
	b, err := strconv.ParseBool(v)
	return err == nil && b
}

func decode(r *http.Request, v any) error {
	if r.Body == nil || r.ContentLength == 0 {
		return nil
	}
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		return fmt.Errorf("%w: request body: %v", errdefs.ErrInvalidArgument, err)
	}
	return nil
}
