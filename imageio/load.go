package imageio

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/docker/archive"
	ociarchive "go.podman.io/image/v5/oci/archive"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
)

// Load reads a docker-archive (docker save) or an oci-archive and stores
// every image in it; it returns the names (or IDs) loaded.
func Load(ctx context.Context, s storage.Store, path string, report io.Writer) ([]string, error) {
	if err := CheckArchive(path); err != nil {
		return nil, fmt.Errorf("load %s: %w", path, err)
	}
	loaded, dockerErr := loadDockerArchive(ctx, s, path, report)
	if dockerErr == nil {
		return loaded, nil
	}
	loaded, ociErr := loadOCIArchive(ctx, s, path, report)
	if ociErr == nil {
		return loaded, nil
	}
	return nil, fmt.Errorf("load %s: the file matches none of the supported formats (docker-archive: %v; oci-archive: %v)", path, dockerErr, ociErr)
}

func loadDockerArchive(ctx context.Context, s storage.Store, path string, report io.Writer) ([]string, error) {
	r, err := archive.NewReader(bigFiles(nil), path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	images, err := r.List()
	if err != nil {
		return nil, err
	}
	if len(images) == 0 {
		return nil, errors.New("the archive holds no image")
	}
	var loaded []string
	for _, refs := range images {
		names, err := archiveNames(refs)
		if err != nil {
			return loaded, err
		}
		id, err := copyNamed(ctx, s, refs[0], names, report)
		if err != nil {
			return loaded, err
		}
		// Every name, as docker reports a load.
		if len(names) == 0 {
			loaded = append(loaded, loadedName(id, names))
		}
		loaded = append(loaded, names...)
	}
	return loaded, nil
}

func archiveNames(refs []types.ImageReference) ([]string, error) {
	var tags []string
	for _, ref := range refs {
		if named := ref.DockerReference(); named != nil {
			tags = append(tags, named.String())
		}
	}
	return normalizeTags(tags)
}

func loadOCIArchive(ctx context.Context, s storage.Store, path string, report io.Writer) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	ref, err := ociarchive.NewReference(path, "")
	if err != nil {
		return nil, err
	}
	var names []string
	if named := ref.DockerReference(); named != nil {
		names = []string{named.String()}
	} else if name := ociRefName(path); name != "" {
		names = []string{name}
	}
	if names, err = normalizeTags(names); err != nil {
		return nil, err
	}
	id, err := copyNamed(ctx, s, ref, names, report)
	if err != nil {
		return nil, err
	}
	return []string{loadedName(id, names)}, nil
}

// copyNamed copies the image under its first name and adds the others.
func copyNamed(ctx context.Context, s storage.Store, src types.ImageReference, names []string, report io.Writer) (string, error) {
	first := ""
	if len(names) > 0 {
		first = names[0]
	}
	id, err := copyInto(ctx, s, src, first, report)
	if err != nil {
		return "", err
	}
	if len(names) > 1 {
		if err := s.AddNames(id, names[1:]); err != nil {
			return "", fmt.Errorf("name image %s: %w", id[:12], err)
		}
	}
	return id, nil
}

func loadedName(id string, names []string) string {
	if len(names) > 0 {
		return names[0]
	}
	return "sha256:" + id
}

// ociRefName is the image name an oci-archive records in its index
// (org.opencontainers.image.ref.name), when that is a full image name; a
// bare tag such as "latest" names nothing.
func ociRefName(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			return ""
		}
		if strings.TrimPrefix(h.Name, "./") != "index.json" {
			continue
		}
		var index imgspecv1.Index
		if err := json.NewDecoder(tr).Decode(&index); err != nil || len(index.Manifests) != 1 {
			return ""
		}
		name := index.Manifests[0].Annotations[imgspecv1.AnnotationRefName]
		if strings.ContainsAny(name, "/:") {
			return name
		}
		return ""
	}
}
