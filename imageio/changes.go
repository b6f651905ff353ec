package imageio

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/burrow/burrow/errdefs"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// Config is an image's run configuration, the target of ApplyChanges.
type Config = imgspecv1.ImageConfig

// ApplyChanges applies Dockerfile-style instructions (import --change,
// commit -c) to an image config.
func ApplyChanges(cfg *imgspecv1.ImageConfig, changes []string) error {
	for _, ch := range changes {
		if err := applyChange(cfg, ch); err != nil {
			return fmt.Errorf("change %q: %w", ch, err)
		}
	}
	return nil
}

func applyChange(cfg *imgspecv1.ImageConfig, change string) error {
	instr, arg, _ := strings.Cut(strings.TrimSpace(change), " ")
	if sep := strings.IndexByte(instr, '='); sep > 0 {
		// "CMD=/bin/sh" as podman accepts it.
		instr, arg = instr[:sep], instr[sep+1:]+" "+arg
	}
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return fmt.Errorf("no value: %w", errdefs.ErrInvalidArgument)
	}
	switch strings.ToUpper(instr) {
	case "CMD":
		cfg.Cmd = commandForm(arg)
	case "ENTRYPOINT":
		cfg.Entrypoint = commandForm(arg)
	case "WORKDIR":
		cfg.WorkingDir = arg
	case "USER":
		cfg.User = arg
	case "ENV":
		return applyKeyValues(arg, func(k, v string) { cfg.Env = append(cfg.Env, k+"="+v) })
	case "LABEL":
		return applyKeyValues(arg, func(k, v string) {
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[k] = v
		})
	case "EXPOSE":
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		for _, p := range strings.Fields(arg) {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.ExposedPorts[p] = struct{}{}
		}
	case "STOPSIGNAL":
		cfg.StopSignal = arg
	case "VOLUME":
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		var list []string
		if !strings.HasPrefix(arg, "[") || json.Unmarshal([]byte(arg), &list) != nil {
			list = strings.Fields(arg)
		}
		for _, v := range list {
			cfg.Volumes[v] = struct{}{}
		}
	default:
		return fmt.Errorf("unsupported instruction %s (want CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME or WORKDIR): %w", instr, errdefs.ErrInvalidArgument)
	}
	return nil
}

// commandForm accepts the JSON form ["a","b"] and the shell form.
func commandForm(arg string) []string {
	var list []string
	if strings.HasPrefix(arg, "[") && json.Unmarshal([]byte(arg), &list) == nil {
		return list
	}
	return []string{"/bin/sh", "-c", arg}
}

// applyKeyValues accepts "K=V K2=V2" and the old "K V" form.
func applyKeyValues(arg string, set func(k, v string)) error {
	if !strings.Contains(arg, "=") {
		k, v, ok := strings.Cut(arg, " ")
		if !ok {
			return fmt.Errorf("want KEY=VALUE: %w", errdefs.ErrInvalidArgument)
		}
		set(k, strings.TrimSpace(v))
		return nil
	}
	for _, kv := range strings.Fields(arg) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("want KEY=VALUE, got %q: %w", kv, errdefs.ErrInvalidArgument)
		}
		set(k, strings.Trim(v, `"`))
	}
	return nil
}
