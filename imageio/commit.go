package imageio

import (
	"encoding/json"
	"errors"
	"fmt"
	imgmanifest "go.podman.io/image/v5/manifest"
	"io"
	"os"
	"time"

	"github.com/burrow/burrow/store"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	digest "github.com/opencontainers/go-digest"
	specsgo "github.com/opencontainers/image-spec/specs-go"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/storage"
	"go.podman.io/storage/pkg/archive"
)

// CommitOpt says how a container's changes become an image.
type CommitOpt struct {
	Name    string   // "" for an unnamed image
	Changes []string // Dockerfile-style, as for import
	Message string
	Author  string
	Format  string   // oci ("") or docker: the manifest's kind
	Config  []byte   // --config: docker's container configuration, merged in
	Volumes []string // --include-volumes: more VOLUME paths
	// Squash makes the image one layer: the container's whole root, the
	// image's layers and its changes together (podman commit --squash).
	Squash bool
}

// Commit stores the container's changes as a new layer on top of its
// image's and records an image (config + OCI manifest) for it, as the
// containers/image storage destination would, so push and save work on it.
func Commit(s storage.Store, containerID string, opt CommitOpt) (string, error) {
	ctr, err := s.Container(containerID)
	if err != nil {
		return "", err
	}
	base, err := s.Image(ctr.ImageID)
	if err != nil {
		return "", fmt.Errorf("image of the container: %w", err)
	}
	cfg, err := store.Config(s, base)
	if err != nil {
		return "", err
	}
	var layer *storage.Layer
	if opt.Squash {
		layer, err = squashLayer(s, containerID)
	} else {
		layer, err = commitLayer(s, ctr.LayerID, base.TopLayer)
	}
	if err != nil {
		return "", err
	}
	now := time.Now().UTC()
	cfg.Created = &now
	if opt.Author != "" {
		cfg.Author = opt.Author
	}
	if opt.Squash {
		// The old steps stay in the history, none with a layer of its own
		// any more: the history still counts one entry per diff ID.
		for i := range cfg.History {
			cfg.History[i].EmptyLayer = true
		}
		cfg.RootFS.DiffIDs = nil
	}
	cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, layer.UncompressedDigest)
	cfg.History = append(cfg.History, imgspecv1.History{Created: &now, CreatedBy: "burrow commit", Comment: opt.Message, Author: opt.Author})
	if err := commitConfig(&cfg.Config, opt); err != nil {
		_ = s.DeleteLayer(layer.ID)
		return "", err
	}
	id, err := recordImageAs(s, cfg, *cfg.Created, layer, opt.Name, "", opt.Format == "docker")
	if err != nil {
		_ = s.DeleteLayer(layer.ID)
	}
	return id, err
}

// commitLayer copies the container layer's changes into a new read-only
// layer on the image's top layer (spooled to a file: the store reads the
// diff while it holds its own lock on the layers).
func commitLayer(s storage.Store, containerLayer, parent string) (*storage.Layer, error) {
	uncompressed := archive.Uncompressed
	diff, err := s.Diff("", containerLayer, &storage.DiffOptions{Compression: &uncompressed})
	if err != nil {
		return nil, fmt.Errorf("read the container's changes: %w", err)
	}
	spool, err := os.CreateTemp("", "burrow-commit-*.tar")
	if err != nil {
		diff.Close()
		return nil, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	_, err = io.Copy(spool, diff)
	diff.Close()
	if err != nil {
		return nil, fmt.Errorf("read the container's changes: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	layer, _, err := s.PutLayer("", parent, nil, "", false, nil, spool)
	if err != nil {
		return nil, fmt.Errorf("store the new layer: %w", err)
	}
	return layer, nil
}

// squashLayer stores the container's whole root, as the container sees
// it (the overlay with every layer and whiteout applied), as one new
// layer without a parent. The tar is spooled for the same reason as in
// commitLayer.
func squashLayer(s storage.Store, containerID string) (*storage.Layer, error) {
	root, err := s.Mount(containerID, "")
	if err != nil {
		return nil, fmt.Errorf("mount the container's root: %w", err)
	}
	defer func() { _, _ = s.Unmount(containerID, false) }()
	tree, err := archive.TarWithOptions(root, &archive.TarOptions{Compression: archive.Uncompressed})
	if err != nil {
		return nil, fmt.Errorf("read the container's root: %w", err)
	}
	spool, err := os.CreateTemp("", "burrow-squash-*.tar")
	if err != nil {
		tree.Close()
		return nil, err
	}
	defer os.Remove(spool.Name())
	defer spool.Close()
	_, err = io.Copy(spool, tree)
	tree.Close()
	if err != nil {
		return nil, fmt.Errorf("read the container's root: %w", err)
	}
	if _, err := spool.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	layer, _, err := s.PutLayer("", "", nil, "", false, nil, spool)
	if err != nil {
		return nil, fmt.Errorf("store the squashed layer: %w", err)
	}
	return layer, nil
}

// recordImage writes the image record with its config and a manifest that
// names every layer by its uncompressed digest.
func recordImage(s storage.Store, cfg any, created time.Time, top *storage.Layer, name, metadata string) (string, error) {
	return recordImageAs(s, cfg, created, top, name, metadata, false)
}

// recordImageAs is recordImage with docker's schema 2 manifest instead of
// an OCI one when docker is set (commit --format docker).
func recordImageAs(s storage.Store, cfg any, created time.Time, top *storage.Layer, name, metadata string, docker bool) (string, error) {
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	cfgDigest := digest.FromBytes(cfgJSON)
	layers, err := layerChain(s, top)
	if err != nil {
		return "", err
	}
	manifest := imgspecv1.Manifest{
		Versioned: specsgo.Versioned{SchemaVersion: 2},
		MediaType: imgspecv1.MediaTypeImageManifest,
		Config:    imgspecv1.Descriptor{MediaType: imgspecv1.MediaTypeImageConfig, Digest: cfgDigest, Size: int64(len(cfgJSON))},
		Layers:    layers,
	}
	var mJSON []byte
	if docker {
		var dl []imgmanifest.Schema2Descriptor
		for _, l := range layers {
			dl = append(dl, imgmanifest.Schema2Descriptor{MediaType: imgmanifest.DockerV2SchemaLayerMediaTypeUncompressed, Digest: l.Digest, Size: l.Size})
		}
		m := imgmanifest.Schema2FromComponents(imgmanifest.Schema2Descriptor{MediaType: imgmanifest.DockerV2Schema2ConfigMediaType, Digest: cfgDigest, Size: int64(len(cfgJSON))}, dl)
		mJSON, err = m.Serialize()
	} else {
		mJSON, err = json.Marshal(manifest)
	}
	if err != nil {
		return "", err
	}
	mDigest := digest.FromBytes(mJSON)
	var names []string
	if name != "" {
		full, err := store.Normalize(name)
		if err != nil {
			return "", err
		}
		names = []string{full}
	}
	topID := ""
	if top != nil {
		topID = top.ID
	}
	img, err := s.CreateImage(cfgDigest.Encoded(), names, topID, metadata, &storage.ImageOptions{
		CreationDate: created,
		Digest:       mDigest,
		BigData: []storage.ImageBigDataOption{
			{Key: cfgDigest.String(), Data: cfgJSON, Digest: cfgDigest},
			{Key: "manifest-" + mDigest.String(), Data: mJSON, Digest: mDigest},
			{Key: storage.ImageDigestBigDataKey, Data: mJSON, Digest: mDigest},
		},
	})
	if errors.Is(err, storage.ErrDuplicateID) {
		return cfgDigest.Encoded(), nil // the same config: the same image
	}
	if err != nil {
		return "", fmt.Errorf("record image: %w", err)
	}
	return img.ID, nil
}

// StepConfig is an image configuration with docker's extensions
// (Healthcheck, Shell, OnBuild), as a build writes it.
type StepConfig = dockerspec.DockerOCIImage

// CommitOnto stores a container layer's changes as a new layer on parent
// ("" for none) and records an image with cfg for it, the layer's diff ID
// appended; metadata goes on the image record (a build's cache key).
func CommitOnto(s storage.Store, containerLayer, parent string, cfg StepConfig, metadata string) (string, error) {
	layer, err := commitLayer(s, containerLayer, parent)
	if err != nil {
		return "", err
	}
	cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, layer.UncompressedDigest)
	id, err := recordImage(s, cfg, *cfg.Created, layer, "", metadata)
	if err != nil {
		_ = s.DeleteLayer(layer.ID)
	}
	return id, err
}

// RecordConfig records an image of top (a layer ID, "" for none) with a
// new config and no new layer.
func RecordConfig(s storage.Store, top string, cfg StepConfig, metadata string) (string, error) {
	var layer *storage.Layer
	if top != "" {
		var err error
		if layer, err = s.Layer(top); err != nil {
			return "", fmt.Errorf("layer %s: %w", top, err)
		}
	}
	return recordImage(s, cfg, *cfg.Created, layer, "", metadata)
}

// layerChain lists the layers from the base up to top as uncompressed
// tar descriptors.
func layerChain(s storage.Store, top *storage.Layer) ([]imgspecv1.Descriptor, error) {
	var chain []imgspecv1.Descriptor
	for l := top; l != nil; {
		chain = append([]imgspecv1.Descriptor{{MediaType: imgspecv1.MediaTypeImageLayer, Digest: l.UncompressedDigest, Size: l.UncompressedSize}}, chain...)
		if l.Parent == "" {
			break
		}
		parent, err := s.Layer(l.Parent)
		if err != nil {
			return nil, fmt.Errorf("layer %s: %w", l.Parent, err)
		}
		l = parent
	}
	return chain, nil
}

// commitConfig applies --config, the --include-volumes paths, then
// --change, which has the last word as in podman.
func commitConfig(cfg *Config, opt CommitOpt) error {
	if len(opt.Config) > 0 {
		if err := MergeConfig(cfg, opt.Config); err != nil {
			return err
		}
	}
	for _, v := range opt.Volumes {
		if cfg.Volumes == nil {
			cfg.Volumes = map[string]struct{}{}
		}
		cfg.Volumes[v] = struct{}{}
	}
	return ApplyChanges(cfg, opt.Changes)
}
