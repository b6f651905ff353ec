package dockerapi

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/container"
)

// execInstance is a created exec: docker creates one, then starts it.
type execInstance struct {
	id, ctr string
	req     container.ExecCreateRequest
	mu      sync.Mutex
	running bool
	pid     int
	code    *int
	// resize sizes the running command's terminal (Tty only); a size
	// asked for before it runs waits in size.
	resize func(rows, cols uint16) error
	size   [2]uint16
}

type execs struct {
	mu sync.Mutex
	m  map[string]*execInstance
}

func (x *execs) get(id string) (*execInstance, bool) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.m[id]
	return e, ok
}

func (x *execs) add(e *execInstance) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.m == nil {
		x.m = map[string]*execInstance{}
	}
	x.m[e.id] = e
}

func (s *Server) createExec(w http.ResponseWriter, r *http.Request) {
	var req container.ExecCreateRequest
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if len(req.Cmd) == 0 {
		fail(w, fmt.Errorf("%w: exec needs Cmd", errdefs.ErrInvalidArgument))
		return
	}
	if req.Privileged {
		fail(w, fmt.Errorf("%w: exec with Privileged is not supported by burrow's API yet", errdefs.ErrInvalidArgument))
		return
	}
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	if !c.Running {
		writeError(w, http.StatusConflict, fmt.Errorf("container %s is not running", c.Record.Name))
		return
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	inst := &execInstance{id: hex.EncodeToString(b), ctr: c.ID, req: req}
	s.execs.add(inst)
	writeJSON(w, http.StatusCreated, container.ExecCreateResponse{ID: inst.id})
}

func (s *Server) startExec(w http.ResponseWriter, r *http.Request) {
	inst, ok := s.execs.get(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no such exec instance: %s", r.PathValue("id")))
		return
	}
	var start container.ExecStartRequest
	if err := decode(r, &start); err != nil {
		fail(w, err)
		return
	}
	inst.mu.Lock()
	if inst.running || inst.code != nil {
		inst.mu.Unlock()
		writeError(w, http.StatusConflict, fmt.Errorf("exec %s has been started already", inst.id))
		return
	}
	inst.running = true
	inst.mu.Unlock()
	q := inst.req
	opt := engine.ExecOptions{Command: q.Cmd, Env: q.Env, Workdir: q.WorkingDir, User: q.User, Terminal: q.Tty}
	finish := func(code int) {
		inst.mu.Lock()
		inst.running, inst.code, inst.resize = false, &code, nil
		inst.mu.Unlock()
	}
	started := func(pid int) { inst.mu.Lock(); inst.pid = pid; inst.mu.Unlock() }
	if start.Detach {
		go func() {
			code, err := s.eng.ExecStreams(inst.ctr, opt, engine.Streams{Started: started})
			finish(execCode(code, err))
		}()
		w.WriteHeader(http.StatusOK)
		return
	}
	ctype := "application/vnd.docker.multiplexed-stream"
	if q.Tty {
		ctype = "application/vnd.docker.raw-stream"
	}
	conn, in, ok := hijack(w, r, ctype)
	if !ok {
		return
	}
	defer conn.Close()
	st := engine.Streams{Started: started, Resizable: func(resize func(rows, cols uint16) error) {
		inst.mu.Lock()
		defer inst.mu.Unlock()
		inst.resize = resize
		if inst.size[0] > 0 {
			_ = resize(inst.size[0], inst.size[1])
		}
	}}
	if q.AttachStdin {
		st.Stdin = in
	} else {
		go func() { _, _ = io.Copy(io.Discard, in) }()
	}
	fw := &frameWriter{w: conn}
	if q.Tty {
		if q.AttachStdout || q.AttachStderr {
			st.Stdout = conn
		}
	} else {
		if q.AttachStdout {
			st.Stdout = streamWriter{fw, 1}
		}
		if q.AttachStderr {
			st.Stderr = streamWriter{fw, 2}
		}
	}
	code, err := s.eng.ExecStreams(inst.ctr, opt, st)
	if err != nil {
		// A command that could not run: docker's client shows this on
		// stderr and exits with the code (127 not found, 126 cannot run).
		msg := []byte("burrow: exec failed: " + err.Error() + "\n")
		if q.Tty {
			_, _ = conn.Write(msg)
		} else {
			_, _ = streamWriter{fw, 2}.Write(msg)
		}
	}
	finish(execCode(code, err))
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite()
	}
}

// execCode is the exit code an exec reports: its command's, or burrow's
// for one that never ran.
func execCode(code int, err error) int {
	if err != nil {
		return errdefs.ExitCode(err)
	}
	return code
}

// streamWriter frames what is written to it as one stream.
type streamWriter struct {
	f      *frameWriter
	stream byte
}

func (s streamWriter) Write(p []byte) (int, error) {
	if err := s.f.write(s.stream, p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *Server) inspectExec(w http.ResponseWriter, r *http.Request) {
	inst, ok := s.execs.get(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no such exec instance: %s", r.PathValue("id")))
		return
	}
	inst.mu.Lock()
	defer inst.mu.Unlock()
	q := inst.req
	resp := container.ExecInspectResponse{
		ID: inst.id, Running: inst.running, ExitCode: inst.code, ContainerID: inst.ctr, Pid: inst.pid,
		OpenStdin: q.AttachStdin, OpenStdout: q.AttachStdout, OpenStderr: q.AttachStderr,
		ProcessConfig: &container.ExecProcessConfig{Tty: q.Tty, Entrypoint: q.Cmd[0], Arguments: q.Cmd[1:], User: q.User},
	}
	writeJSON(w, http.StatusOK, resp)
}

// sizeParams reads the h and w parameters of the resize endpoints.
func sizeParams(r *http.Request) (rows, cols uint16, err error) {
	h, err1 := strconv.ParseUint(r.URL.Query().Get("h"), 10, 16)
	w, err2 := strconv.ParseUint(r.URL.Query().Get("w"), 10, 16)
	if err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%w: resize needs h and w, numbers of rows and columns", errdefs.ErrInvalidArgument)
	}
	return uint16(h), uint16(w), nil
}

func (s *Server) resizeExec(w http.ResponseWriter, r *http.Request) {
	inst, ok := s.execs.get(r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, fmt.Errorf("no such exec instance: %s", r.PathValue("id")))
		return
	}
	rows, cols, err := sizeParams(r)
	if err != nil {
		fail(w, err)
		return
	}
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if !inst.req.Tty || inst.code != nil {
		writeError(w, http.StatusConflict, fmt.Errorf("exec %s has no terminal to resize (not a Tty, or ended)", inst.id))
		return
	}
	inst.size = [2]uint16{rows, cols}
	if inst.resize != nil {
		if err := inst.resize(rows, cols); err != nil {
			fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}

func (s *Server) resizeContainer(w http.ResponseWriter, r *http.Request) {
	rows, cols, err := sizeParams(r)
	if err != nil {
		fail(w, err)
		return
	}
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	if !c.Record.Terminal {
		// docker answers so too: there is nothing to size.
		writeError(w, http.StatusConflict, fmt.Errorf("container %s has no terminal", c.Record.Name))
		return
	}
	if err := s.eng.Resize(c.ID, rows, cols); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusOK)
}
