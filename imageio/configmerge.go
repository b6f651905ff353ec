package imageio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/ocispec"
)

// schema2Config is the part of docker's image configuration (its field
// names) that commit --config merges into an image.
type schema2Config struct {
	User         string
	ExposedPorts map[string]struct{}
	Env          []string
	Cmd          []string
	Entrypoint   []string
	Volumes      map[string]struct{}
	WorkingDir   string
	Labels       map[string]string
	StopSignal   string
}

// MergeConfig is commit --config: each field the JSON document sets
// replaces the image's (Cmd, Entrypoint, User, WorkingDir, StopSignal) or
// adds to it (Env by name, Labels, ExposedPorts, Volumes).
func MergeConfig(cfg *Config, doc []byte) error {
	var in schema2Config
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("--config: want docker's container configuration as JSON (User, Env, Cmd, Entrypoint, ExposedPorts, Volumes, WorkingDir, Labels, StopSignal): %v: %w", err, errdefs.ErrInvalidArgument)
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&cfg.User, in.User)
	set(&cfg.WorkingDir, in.WorkingDir)
	set(&cfg.StopSignal, in.StopSignal)
	if in.Cmd != nil {
		cfg.Cmd = in.Cmd
	}
	if in.Entrypoint != nil {
		cfg.Entrypoint = in.Entrypoint
	}
	cfg.Env = ocispec.MergeEnv(cfg.Env, in.Env)
	cfg.ExposedPorts = mergeSet(cfg.ExposedPorts, in.ExposedPorts)
	cfg.Volumes = mergeSet(cfg.Volumes, in.Volumes)
	if len(in.Labels) > 0 {
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		maps.Copy(cfg.Labels, in.Labels)
	}
	return nil
}

func mergeSet(dst, src map[string]struct{}) map[string]struct{} {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[string]struct{}{}
	}
	maps.Copy(dst, src)
	return dst
}
