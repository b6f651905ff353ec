//go:build buildverb

package dockerapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"

	"github.com/burrow/burrow/build"
	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	securejoin "github.com/cyphar/filepath-securejoin"
	"go.podman.io/storage/pkg/archive"
)

// buildImage runs `burrow build` over the request's tar context. Errors
// before the build starts are docker's error shape; later ones are the
// last line of the stream, as docker's are.
func (s *Server) buildImage(w http.ResponseWriter, r *http.Request) {
	o, err := buildRequestOptions(r)
	if err != nil {
		fail(w, err)
		return
	}
	dir, err := os.MkdirTemp("", "burrow-api-build-")
	if err != nil {
		fail(w, err)
		return
	}
	defer os.RemoveAll(dir)
	if err := archive.Untar(r.Body, dir, &archive.TarOptions{NoLchown: true}); err != nil {
		fail(w, fmt.Errorf("%w: the build context's tar: %v", errdefs.ErrInvalidArgument, err))
		return
	}
	o.ContextDir = dir
	name := r.URL.Query().Get("dockerfile")
	if o.DockerfileName, o.Dockerfile, err = contextDockerfile(dir, name); err != nil {
		fail(w, err)
		return
	}
	out := &jsonStream{w: w}
	if !boolParam(r, "q") {
		o.Out = out
	}
	plan, err := build.Prepare(o)
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	// Not under the server's lock: a build takes long, and its steps are
	// safe beside other commands, as the CLI's are.
	id, err := plan.Run(r.Context(), s.eng)
	if err != nil {
		out.fail(err)
		return
	}
	out.send(map[string]any{"aux": map[string]string{"ID": "sha256:" + id}})
	out.send(map[string]string{"stream": "Successfully built " + id[:12] + "\n"})
	for _, t := range o.Tags {
		out.send(map[string]string{"stream": "Successfully tagged " + t + "\n"})
	}
}

// contextDockerfile reads the named file of the context (default
// Containerfile, else Dockerfile), never outside it.
func contextDockerfile(dir, name string) (string, []byte, error) {
	candidates := []string{name}
	if name == "" {
		candidates = []string{"Containerfile", "Dockerfile"}
	}
	for _, c := range candidates {
		p, err := securejoin.SecureJoin(dir, c)
		if err != nil {
			return "", nil, err
		}
		data, err := os.ReadFile(p)
		if err == nil {
			return c, data, nil
		}
	}
	return "", nil, fmt.Errorf("%w: the build context has no %s", errdefs.ErrInvalidArgument, strings.Join(candidates, " or "))
}

// buildRequestOptions maps the query onto build options; what burrow's
// build does not do is refused by name.
func buildRequestOptions(r *http.Request) (build.Options, error) {
	q := r.URL.Query()
	o := build.Options{Tags: q["t"], Target: q.Get("target"), NoCache: boolParam(r, "nocache"), BuildArgs: map[string]string{}}
	for _, t := range o.Tags {
		if _, err := engine.NormalizeName(t); err != nil {
			return o, err
		}
	}
	var what []string
	for _, p := range []string{"remote", "extrahosts", "cpusetcpus", "cpuperiod", "cpuquota", "cpushares", "memory", "memswap", "squash", "cachefrom", "outputs"} {
		if v := q.Get(p); v != "" && v != "0" && v != "false" && v != "[]" && v != "null" {
			what = append(what, p)
		}
	}
	if p := q.Get("platform"); p != "" && p != "linux" && !strings.HasPrefix(p, "linux/"+runtime.GOARCH) {
		what = append(what, "platform "+p)
	}
	if len(what) > 0 {
		return o, fmt.Errorf("%w: burrow's build does not support %s", errdefs.ErrInvalidArgument, strings.Join(what, ", "))
	}
	if n := q.Get("networkmode"); n != "" && n != "default" {
		o.Network = n
	}
	o.Pull = engine.PullMissing
	if boolParam(r, "pull") {
		o.Pull = engine.PullAlways
	}
	for param, dst := range map[string]*map[string]string{"buildargs": &o.BuildArgs, "labels": &o.Labels} {
		if v := q.Get(param); v != "" {
			if err := json.Unmarshal([]byte(v), dst); err != nil {
				return o, fmt.Errorf("%w: %s: %v", errdefs.ErrInvalidArgument, param, err)
			}
		}
	}
	return o, nil
}
