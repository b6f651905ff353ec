package imageio

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/tarball"
	"go.podman.io/storage"
)

// ImportOpt says how a root filesystem tarball becomes an image.
type ImportOpt struct {
	Path    string   // the tarball (plain or compressed)
	Name    string   // "" for an unnamed image
	Changes []string // Dockerfile-style CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE
	Message string
}

// Import stores the tarball as a one-layer image and returns its ID.
func Import(ctx context.Context, s storage.Store, opt ImportOpt, report io.Writer) (string, error) {
	cfg := imgspecv1.Image{
		Platform: imgspecv1.Platform{OS: "linux", Architecture: runtime.GOARCH},
	}
	now := time.Now().UTC()
	cfg.Created = &now
	if err := ApplyChanges(&cfg.Config, opt.Changes); err != nil {
		return "", err
	}
	if err := CheckLayerFile(opt.Path); err != nil {
		return "", fmt.Errorf("import %s: %w", opt.Path, err)
	}
	ref, err := tarball.Transport.ParseReference(opt.Path)
	if err != nil {
		return "", fmt.Errorf("import %s: %w", opt.Path, err)
	}
	annotations := map[string]string{}
	if opt.Message != "" {
		annotations[imgspecv1.AnnotationDescription] = opt.Message
	}
	if err := ref.(tarball.ConfigUpdater).ConfigUpdate(cfg, annotations); err != nil {
		return "", fmt.Errorf("import %s: %w", opt.Path, err)
	}
	name := ""
	if opt.Name != "" {
		names, err := normalizeTags([]string{opt.Name})
		if err != nil {
			return "", err
		}
		name = names[0]
	}
	id, err := copyInto(ctx, s, ref, name, report)
	if err != nil {
		return "", fmt.Errorf("import %s: %w", opt.Path, err)
	}
	return id, nil
}
