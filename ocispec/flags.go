package ocispec

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// ParseVolume parses -v SRC:DST[:OPTS] for a host bind mount. OPTS is a
// comma list of ro, rw, z, Z (SELinux relabel requests are accepted and
// ignored: a rootless user cannot relabel), and propagation modes.
func ParseVolume(v string) (specs.Mount, error) {
	bad := func(why string) (specs.Mount, error) {
		return specs.Mount{}, fmt.Errorf("volume %q: %s: %w", v, why, errdefs.ErrInvalidArgument)
	}
	parts := strings.Split(v, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return bad("want SOURCE:DESTINATION[:OPTIONS]")
	}
	src, dst := parts[0], parts[1]
	if !filepath.IsAbs(src) {
		return bad("source must be an absolute host path (named volumes are not supported yet)")
	}
	if !path.IsAbs(dst) {
		return bad("destination must be an absolute path in the container")
	}
	opts := []string{"rbind"}
	mode := "rw"
	if len(parts) == 3 {
		for _, o := range strings.Split(parts[2], ",") {
			switch o {
			case "ro", "rw":
				mode = o
			case "z", "Z":
			case "private", "rprivate", "slave", "rslave", "shared", "rshared":
				opts = append(opts, o)
			default:
				return bad("unknown option " + o)
			}
		}
	}
	return specs.Mount{Destination: path.Clean(dst), Type: "bind", Source: filepath.Clean(src), Options: append(opts, mode)}, nil
}

// ParseTmpfs parses --tmpfs DST[:OPTS], OPTS being mount options such as
// size=64m,mode=1777,noexec.
func ParseTmpfs(v string) (specs.Mount, error) {
	dst, opts, _ := strings.Cut(v, ":")
	if !path.IsAbs(dst) {
		return specs.Mount{}, fmt.Errorf("tmpfs %q: destination must be an absolute path: %w", v, errdefs.ErrInvalidArgument)
	}
	options := []string{"nosuid", "nodev"}
	if opts != "" {
		options = append(options, strings.Split(opts, ",")...)
	}
	return specs.Mount{Destination: path.Clean(dst), Type: "tmpfs", Source: "tmpfs", Options: options}, nil
}

// ParseEnv turns -e values into KEY=VALUE: a bare KEY takes the value from
// lookup (the caller's environment) and is dropped when unset, as docker does.
func ParseEnv(values []string, lookup func(string) (string, bool)) ([]string, error) {
	var out []string
	for _, v := range values {
		key, _, hasValue := strings.Cut(v, "=")
		if key == "" || strings.ContainsAny(key, " \t") {
			return nil, fmt.Errorf("environment variable %q: invalid name: %w", v, errdefs.ErrInvalidArgument)
		}
		if hasValue {
			out = append(out, v)
		} else if val, ok := lookup(key); ok {
			out = append(out, key+"="+val)
		}
	}
	return out, nil
}

// ParseEnvFile reads --env-file content: KEY=VALUE or KEY lines, '#'
// comments and blank lines skipped.
func ParseEnvFile(content string, lookup func(string) (string, bool)) ([]string, error) {
	var lines []string
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		lines = append(lines, strings.TrimLeft(line, " \t"))
	}
	return ParseEnv(lines, lookup)
}

// MergeEnv overlays later KEY=VALUE entries on earlier ones, keeping the
// order of first appearance.
func MergeEnv(lists ...[]string) []string {
	index := map[string]int{}
	var out []string
	for _, list := range lists {
		for _, kv := range list {
			key, _, _ := strings.Cut(kv, "=")
			if i, ok := index[key]; ok {
				out[i] = kv
				continue
			}
			index[key] = len(out)
			out = append(out, kv)
		}
	}
	return out
}
