//go:build !buildverb

package dockerapi

import (
	"errors"
	"net/http"
)

// buildImage: buildkit's Dockerfile parser lives in burrow-build only, so
// that no other command pays its start-up. `burrow system service` hands
// itself over to burrow-build when it is installed; this is the answer
// of a service that found none.
func (s *Server) buildImage(w http.ResponseWriter, _ *http.Request) {
	writeError(w, http.StatusNotImplemented, errors.New("build is not available: this service runs from burrow without burrow-build beside it or in PATH (make install installs it)"))
}
