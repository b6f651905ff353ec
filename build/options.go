package build

import (
	"fmt"
	"io"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
)

// Options describe one build.
type Options struct {
	ContextDir     string
	Dockerfile     []byte // the file's contents
	DockerfileName string // how the user named it, for messages
	// DockerfilePath, when the file is one, finds its own ignore file
	// (Dockerfile.dockerignore beside it), which wins over the context's.
	DockerfilePath string
	Tags           []string
	BuildArgs      map[string]string
	Target         string // "" the last stage
	NoCache        bool
	// NoLayers is --layers=false: no step image is looked up or kept,
	// and each stage's steps end as one layer on its base.
	NoLayers bool
	Pull     engine.PullPolicy
	Network  string
	Secrets  map[string]Secret // --secret, by id
	// Platform is --platform: "" or the host's; Prepare refuses others.
	Platform string
	Labels   map[string]string
	Registry engine.RegistryOptions
	// Out gets the steps (STEP 2/5: ..., --> Using cache); nil for -q.
	Out io.Writer
}

// ParseBuildArg reads K=V; a bare K takes its value from the
// environment (getenv), and is left out when unset there, as docker does.
func ParseBuildArg(v string, getenv func(string) (string, bool)) (key, value string, ok bool, err error) {
	key, value, has := strings.Cut(v, "=")
	if key == "" || strings.ContainsAny(key, " \t\n") {
		return "", "", false, fmt.Errorf("%w: --build-arg %q: want NAME=VALUE", errdefs.ErrInvalidArgument, v)
	}
	if has {
		return key, value, true, nil
	}
	value, ok = getenv(key)
	return key, value, ok, nil
}
