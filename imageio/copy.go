package imageio

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/burrow/burrow/store"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
)

// copyInto copies src into the store under name ("" keeps no name) and
// returns the new image's ID.
func copyInto(ctx context.Context, s storage.Store, src types.ImageReference, name string, report io.Writer) (string, error) {
	var dst types.ImageReference
	var err error
	if name != "" {
		dst, err = istorage.Transport.ParseStoreReference(s, name)
	} else {
		// The storage transport wants a name or an ID: an unnamed image
		// gets the ID it would get anyway, its config digest (as podman).
		var id string
		if id, err = configID(ctx, src); err == nil {
			dst, err = istorage.Transport.NewStoreReference(s, nil, id)
		}
	}
	if err != nil {
		return "", fmt.Errorf("destination %q: %w", name, err)
	}
	policy, err := signature.NewPolicyContext(&signature.Policy{
		Default: []signature.PolicyRequirement{signature.NewPRInsecureAcceptAnything()},
	})
	if err != nil {
		return "", err
	}
	defer func() { _ = policy.Destroy() }()
	manifest, err := copy.Image(ctx, policy, dst, src, withBigFiles(&copy.Options{ReportWriter: report}))
	if err != nil {
		return "", err
	}
	return imageID(manifest)
}

// configID is the digest of src's config, without the algorithm.
func configID(ctx context.Context, src types.ImageReference) (string, error) {
	img, err := src.NewImage(ctx, bigFiles(nil))
	if err != nil {
		return "", err
	}
	defer img.Close()
	d := img.ConfigInfo().Digest
	if err := d.Validate(); err != nil {
		return "", fmt.Errorf("config digest: %w", err)
	}
	return d.Encoded(), nil
}

// imageID is the ID the storage destination gives an image: its config
// digest without the algorithm.
func imageID(manifest []byte) (string, error) {
	var m struct {
		Config struct {
			Digest string `json:"digest"`
		} `json:"config"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil || m.Config.Digest == "" {
		return "", fmt.Errorf("copied manifest names no config: %v", err)
	}
	_, hex, _ := strings.Cut(m.Config.Digest, ":")
	return hex, nil
}

// normalizeTags completes archive tags the way podman does (localhost/
// for names without a registry).
func normalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		n, err := store.Normalize(t)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
