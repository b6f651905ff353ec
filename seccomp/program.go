package seccomp

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/burrow/burrow/atomicfile"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/burrow/burrow/errdefs"
	mobyseccomp "github.com/moby/profiles/seccomp"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Unconfined is the profile name that turns the filter off.
const Unconfined = "unconfined"

// Program returns the BPF program for profile ("" for docker's default,
// Unconfined, or a JSON file) as it applies to spec (its bounding set
// decides which rules docker's profile keeps), or nil for Unconfined.
// cacheDir keeps compiled programs.
func Program(spec *specs.Spec, profile, cacheDir string) ([]byte, error) {
	if profile == Unconfined {
		return nil, nil
	}
	var body []byte
	if profile != "" {
		var err error
		if body, err = os.ReadFile(profile); err != nil {
			return nil, fmt.Errorf("seccomp profile: %w: %w", err, errdefs.ErrInvalidArgument)
		}
	}
	cached := filepath.Join(cacheDir, cacheKey(spec, body)+".bpf")
	if prog, err := os.ReadFile(cached); err == nil && len(prog) > 0 && len(prog)%8 == 0 {
		return prog, nil
	}
	prog, err := build(spec, body)
	if err != nil {
		return nil, err
	}
	// A cache that cannot be written costs the next run a compile, nothing more.
	if os.MkdirAll(cacheDir, 0o700) == nil {
		_ = atomicfile.Write(cached, prog, 0o600)
	}
	return prog, nil
}

func build(spec *specs.Spec, body []byte) ([]byte, error) {
	var (
		p   *specs.LinuxSeccomp
		err error
	)
	if body == nil {
		p, err = mobyseccomp.GetDefaultProfile(spec)
	} else {
		p, err = mobyseccomp.LoadProfile(string(body), spec)
	}
	if err != nil {
		return nil, fmt.Errorf("seccomp profile: %w: %w", err, errdefs.ErrInvalidArgument)
	}
	return compile(p)
}

// cacheKey names what the program depends on: the profile, the bounding
// set, the architecture and the versions of the profile library and of
// burrow itself.
func cacheKey(spec *specs.Spec, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", runtime.GOARCH, buildVersions())
	if spec.Process != nil && spec.Process.Capabilities != nil {
		h.Write([]byte(strings.Join(spec.Process.Capabilities.Bounding, ",")))
	}
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func buildVersions() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	for _, d := range info.Deps {
		if d.Path == "github.com/moby/profiles/seccomp" || d.Path == "github.com/seccomp/libseccomp-golang" {
			v += " " + d.Version
		}
	}
	for _, s := range info.Settings {
		if s.Key == "vcs.revision" {
			v += " " + s.Value
		}
	}
	return v
}
