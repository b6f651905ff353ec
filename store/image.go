package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/storage"
)

// LocalDomain is where images without a registry live, as with podman.
const LocalDomain = "localhost"

// manifestKey is the big-data key containers/image stores the image's
// manifest under (storage.ImageDigestBigDataKey).
const manifestKey = storage.ImageDigestBigDataKey

// Normalize completes a user's image name the way podman stores it: a tag
// when none is given, and localhost/ when no registry is named.
func Normalize(name string) (string, error) {
	if name == "" || strings.ContainsAny(name, " \t\n") || strings.ToLower(name) != name && !hasDomain(name) {
		return "", fmt.Errorf("invalid image name %q: %w", name, errdefs.ErrInvalidArgument)
	}
	full := name
	if !hasTagOrDigest(full) {
		full += ":latest"
	}
	if !hasDomain(full) {
		full = LocalDomain + "/" + full
	}
	// The store takes any string as a name: check the reference grammar
	// here, or "busybox:" or "a//b" would become names.
	if _, err := reference.Parse(full); err != nil {
		return "", fmt.Errorf("invalid image name %q: %v: %w", name, err, errdefs.ErrInvalidArgument)
	}
	return full, nil
}

func hasDomain(name string) bool {
	i := strings.IndexByte(name, '/')
	if i < 0 {
		return false
	}
	first := name[:i]
	return strings.ContainsAny(first, ".:") || first == LocalDomain
}

func hasTagOrDigest(name string) bool {
	if strings.Contains(name, "@") {
		return true
	}
	last := name[strings.LastIndexByte(name, '/')+1:]
	return strings.Contains(last, ":")
}

// Candidates lists the stored names that a short reference may mean, in
// order of preference.
func Candidates(ref string) []string {
	if !hasTagOrDigest(ref) {
		ref += ":latest"
	}
	if hasDomain(ref) {
		return []string{ref}
	}
	return []string{LocalDomain + "/" + ref, "docker.io/library/" + ref, "docker.io/" + ref}
}

// FindImage resolves a name, a short name, a full ID or a unique ID prefix.
func FindImage(s storage.Store, ref string) (*storage.Image, error) {
	images, err := s.Images()
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	return findIn(images, ref)
}

func findIn(images []storage.Image, ref string) (*storage.Image, error) {
	for _, want := range Candidates(ref) {
		for i := range images {
			for _, n := range images[i].Names {
				if n == want {
					return &images[i], nil
				}
			}
		}
	}
	if img, err := byIDPrefix(images, strings.TrimPrefix(ref, "sha256:")); img != nil || err != nil {
		return img, err
	}
	// A short name of any other registry's image, e.g. quay.io/x/tool for "x/tool".
	if !hasDomain(ref) {
		suffix := "/" + Candidates(ref)[0][len(LocalDomain)+1:]
		for i := range images {
			for _, n := range images[i].Names {
				if strings.HasSuffix(n, suffix) {
					return &images[i], nil
				}
			}
		}
	}
	return nil, fmt.Errorf("%s: %w", ref, errdefs.ErrImageUnknown)
}

func byIDPrefix(images []storage.Image, prefix string) (*storage.Image, error) {
	if len(prefix) < 3 || strings.Trim(prefix, "0123456789abcdef") != "" {
		return nil, nil
	}
	var found *storage.Image
	for i := range images {
		if strings.HasPrefix(images[i].ID, prefix) {
			if found != nil {
				return nil, fmt.Errorf("image ID prefix %s is ambiguous: %w", prefix, errdefs.ErrInvalidArgument)
			}
			found = &images[i]
		}
	}
	return found, nil
}

// manifestConfig is the part of an OCI or Docker schema 2 manifest that
// names the config blob; both formats agree on it.
type manifestConfig struct {
	MediaType string `json:"mediaType"`
	Config    struct {
		Digest string `json:"digest"`
	} `json:"config"`
}

// Config reads the image's OCI configuration from the store.
func Config(s storage.Store, img *storage.Image) (imgspecv1.Image, error) {
	cfg, _, err := ConfigAndHealth(s, img)
	return cfg, err
}

// ConfigAndHealth is Config with the image's HEALTHCHECK, which the OCI
// configuration has no field for: docker's config keeps it beside the rest.
func ConfigAndHealth(s storage.Store, img *storage.Image) (imgspecv1.Image, *health.Config, error) {
	var cfg imgspecv1.Image
	raw, err := rawConfig(s, img)
	if err != nil {
		return cfg, nil, err
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, nil, fmt.Errorf("parse config of image %s: %w", short(img.ID), err)
	}
	// Only images that have one pay for a second parse.
	if !bytes.Contains(raw, []byte(`"Healthcheck"`)) {
		return cfg, nil, nil
	}
	var docker struct {
		Config struct {
			Healthcheck *health.Config `json:"Healthcheck"`
		} `json:"config"`
	}
	if err := json.Unmarshal(raw, &docker); err != nil {
		return cfg, nil, fmt.Errorf("parse the healthcheck of image %s: %w", short(img.ID), err)
	}
	return cfg, docker.Config.Healthcheck, nil
}

// ConfigInto decodes the image's configuration into cfg, which may be a
// superset of the OCI one (docker's, with Healthcheck and Shell).
func ConfigInto(s storage.Store, img *storage.Image, cfg any) error {
	raw, err := rawConfig(s, img)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, cfg); err != nil {
		return fmt.Errorf("parse config of image %s: %w", short(img.ID), err)
	}
	return nil
}

// rawConfig is the image's config blob, found through its manifest.
func rawConfig(s storage.Store, img *storage.Image) ([]byte, error) {
	raw, err := s.ImageBigData(img.ID, manifestKey)
	if err != nil {
		return nil, fmt.Errorf("read manifest of image %s: %w", short(img.ID), err)
	}
	var m manifestConfig
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("parse manifest of image %s: %w", short(img.ID), err)
	}
	if m.Config.Digest == "" {
		return nil, errors.New("image " + short(img.ID) + ": manifest names no config (a manifest list?)")
	}
	raw, err = s.ImageBigData(img.ID, m.Config.Digest)
	if err != nil {
		return nil, fmt.Errorf("read config of image %s: %w", short(img.ID), err)
	}
	return raw, nil
}

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
