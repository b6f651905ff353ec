package imageio

import (
	"context"
	"fmt"
	"io"
	"slices"

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
		return copyFromStore(ctx, s, items[0].ID, dst, report, nil)
	}
	return fmt.Errorf("format %q (want docker-archive or oci-archive): %w", format, errdefs.ErrInvalidArgument)
}

func saveDocker(ctx context.Context, s storage.Store, items []SaveItem, path string, report io.Writer) error {
	w, err := dockerarchive.NewWriter(bigFiles(nil), path)
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	// Each image goes in once, with all the names asked for: a second
	// copy of an image already in the archive fails in the writer.
	var order []string
	tags := map[string][]reference.NamedTagged{}
	for _, it := range items {
		if _, seen := tags[it.ID]; !seen {
			order = append(order, it.ID)
			tags[it.ID] = nil
		}
		if it.Name == "" {
			continue
		}
		named, err := reference.ParseNormalizedNamed(it.Name)
		if err != nil {
			continue
		}
		if t, ok := reference.TagNameOnly(named).(reference.NamedTagged); ok && !slices.ContainsFunc(tags[it.ID], func(o reference.NamedTagged) bool { return o.String() == t.String() }) {
			tags[it.ID] = append(tags[it.ID], t)
		}
	}
	for _, id := range order {
		var first reference.NamedTagged
		var more []reference.NamedTagged
		if t := tags[id]; len(t) > 0 {
			first, more = t[0], t[1:]
		}
		dst, err := w.NewReference(first)
		if err != nil {
			_ = w.Close()
			return err
		}
		if err := copyFromStore(ctx, s, id, dst, report, &types.SystemContext{DockerArchiveAdditionalTags: more}); err != nil {
			_ = w.Close()
			return err
		}
	}
	return w.Close()
}

func copyFromStore(ctx context.Context, s storage.Store, id string, dst types.ImageReference, report io.Writer, dstCtx *types.SystemContext) error {
	src, err := istorage.Transport.NewStoreReference(s, nil, id)
	if err != nil {
		return err
	}
	_, err = copyImage(ctx, dst, src, &copy.Options{ReportWriter: report, DestinationCtx: dstCtx})
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
