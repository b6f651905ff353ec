package imageio

import (
	"context"
	"fmt"
	"io"

	"github.com/burrow/burrow/errdefs"
	"go.podman.io/image/v5/copy"
	dockerarchive "go.podman.io/image/v5/docker/archive"
	"go.podman.io/image/v5/docker/reference"
	ociarchive "go.podman.io/image/v5/oci/archive"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
)

// SaveItem is one image to save: its ID and the name to record, if any.
type SaveItem struct {
	ID   string
	Name string
}

// Save writes images to path as a docker-archive (several images allowed)
// or an oci-archive (one image).
func Save(ctx context.Context, s storage.Store, items []SaveItem, path, format string, report io.Writer) error {
	switch format {
	case "", "docker-archive":
		return saveDocker(ctx, s, items, path, report)
	case "oci-archive":
		if len(items) != 1 {
			return fmt.Errorf("oci-archive holds one image; save them one by one: %w", errdefs.ErrInvalidArgument)
		}
		dst, err := ociarchive.NewReference(path, items[0].Name)
		if err != nil {
			return err
		}
		return copyFromStore(ctx, s, items[0].ID, dst, report)
	}
	return fmt.Errorf("format %q (want docker-archive or oci-archive): %w", format, errdefs.ErrInvalidArgument)
}

func saveDocker(ctx context.Context, s storage.Store, items []SaveItem, path string, report io.Writer) error {
	w, err := dockerarchive.NewWriter(bigFiles(nil), path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	for _, it := range items {
		var tagged reference.NamedTagged
		if it.Name != "" {
			named, err := reference.ParseNormalizedNamed(it.Name)
			if err == nil {
				tagged, _ = reference.TagNameOnly(named).(reference.NamedTagged)
			}
		}
		dst, err := w.NewReference(tagged)
		if err != nil {
			_ = w.Close()
			return err
		}
		if err := copyFromStore(ctx, s, it.ID, dst, report); err != nil {
			_ = w.Close()
			return err
		}
	}
	return w.Close()
}

func copyFromStore(ctx context.Context, s storage.Store, id string, dst types.ImageReference, report io.Writer) error {
	src, err := istorage.Transport.NewStoreReference(s, nil, id)
	if err != nil {
		return err
	}
	_, err = copyImage(ctx, dst, src, &copy.Options{ReportWriter: report})
	return err
}

// Export writes the container's filesystem (its root, mounted) as a tar.
func Export(root string, out io.Writer) error {
	rc, err := archive.Tar(root, archive.Uncompressed)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer rc.Close()
	_, err = io.Copy(out, rc)
	return err
}
