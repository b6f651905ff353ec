package ocispec

import (
	"fmt"
	"path"
	"strings"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

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
