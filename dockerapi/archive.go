package dockerapi

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path"
	"path/filepath"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/container"
	"go.podman.io/storage/pkg/archive"
)

// The archive endpoints (docker cp) copy through a temporary directory of
// this service with the engine's copies, which resolve every container
// path once inside its root: the API adds tar on the host side only.

func (s *Server) statHeader(w http.ResponseWriter, r *http.Request) (string, bool) {
	p := r.URL.Query().Get("path")
	if p == "" {
		fail(w, fmt.Errorf("%w: archive needs path", errdefs.ErrInvalidArgument))
		return "", false
	}
	st, err := s.eng.Stat(r.PathValue("id"), p)
	if err != nil {
		fail(w, err)
		return "", false
	}
	data, _ := json.Marshal(container.PathStat{Name: st.Name, Size: st.Size, Mode: st.Mode, Mtime: st.Mtime})
	w.Header().Set("X-Docker-Container-Path-Stat", base64.StdEncoding.EncodeToString(data))
	return p, true
}

func (s *Server) headArchive(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.statHeader(w, r); ok {
		w.WriteHeader(http.StatusOK)
	}
}

func (s *Server) getArchive(w http.ResponseWriter, r *http.Request) {
	p, ok := s.statHeader(w, r)
	if !ok {
		return
	}
	tmp, err := os.MkdirTemp("", "burrow-api-archive-")
	if err != nil {
		fail(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	if err := s.eng.CopyOut(r.PathValue("id"), p, tmp, engine.CopyOptions{}); err != nil {
		fail(w, err)
		return
	}
	rc, err := archive.TarWithOptions(tmp, &archive.TarOptions{IncludeFiles: []string{path.Base(path.Clean("/" + p))}})
	if err != nil {
		fail(w, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	_, _ = copyStream(w, rc)
}

func (s *Server) putArchive(w http.ResponseWriter, r *http.Request) {
	dst := r.URL.Query().Get("path")
	if dst == "" {
		fail(w, fmt.Errorf("%w: archive needs path", errdefs.ErrInvalidArgument))
		return
	}
	st, err := s.eng.Stat(r.PathValue("id"), dst)
	if err != nil {
		fail(w, err)
		return
	}
	if !st.Mode.IsDir() {
		fail(w, fmt.Errorf("%w: %s in the container is not a directory", errdefs.ErrInvalidArgument, dst))
		return
	}
	tmp, err := os.MkdirTemp("", "burrow-api-archive-")
	if err != nil {
		fail(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	if err := archive.Untar(r.Body, tmp, &archive.TarOptions{NoLchown: false}); err != nil {
		fail(w, fmt.Errorf("%w: the request's tar: %v", errdefs.ErrInvalidArgument, err))
		return
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		fail(w, err)
		return
	}
	for _, en := range entries {
		// docker's copyUIDGID: the container user's; else the tar's owners.
		// The tar's entries are copied as they are, a symlink as a link;
		// docker replaces a directory with a non-directory unless told not to.
		o := engine.CopyOptions{Chown: boolParam(r, "copyUIDGID"), NoFollow: true, Overwrite: !boolParam(r, "noOverwriteDirNonDir")}
		if err := s.eng.CopyIn(r.PathValue("id"), filepath.Join(tmp, en.Name()), dst, o); err != nil {
			fail(w, err)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
}
