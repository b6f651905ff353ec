package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/imageio"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/store"
	digest "github.com/opencontainers/go-digest"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// The steps a builder (package build) takes: each makes an ordinary
// unnamed image in the store, found again by the cache key the builder
// gives it, so a build's cache is store content that image prune reclaims.

// StepImage is an image a build step starts from or made. The zero
// value is scratch.
type StepImage struct {
	ID     string
	Config StepConfig
	top    string
}

// StepConfig is an image configuration with docker's extensions
// (Healthcheck, Shell, OnBuild) that a Dockerfile sets.
type StepConfig = imageio.StepConfig

// Owner is a numeric user and group in an image.
type Owner = lifecycle.Owner

// cacheMeta is what a build step's image carries in its record.
type cacheMeta struct {
	BuildCacheKey string `json:"burrowBuildCacheKey"`
}

// BaseImage resolves a FROM or COPY --from image, pulling it as policy says.
func (e *Engine) BaseImage(ctx context.Context, ref string, policy PullPolicy, reg RegistryOptions) (StepImage, error) {
	if err := e.ensureImage(ctx, ref, policy, reg); err != nil {
		return StepImage{}, err
	}
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return StepImage{}, err
	}
	return e.stepImage(img)
}

func (e *Engine) stepImage(img *storage.Image) (StepImage, error) {
	var cfg StepConfig
	if err := store.ConfigInto(e.store, img, &cfg); err != nil {
		return StepImage{}, err
	}
	return StepImage{ID: img.ID, Config: cfg, top: img.TopLayer}, nil
}

// Built ends a build: the image's build event, then its tags (each a
// tag event), as podman logs them.
func (e *Engine) Built(id string, tags []string) error {
	name := ""
	if len(tags) > 0 {
		name = tags[0]
	}
	e.imageEvent("build", id, name)
	if len(tags) == 0 {
		return nil
	}
	return e.Tag(id, tags...)
}

// CachedStep finds the image an earlier build's step made with this key.
func (e *Engine) CachedStep(key string) (StepImage, bool) {
	images, err := e.store.Images()
	if err != nil {
		return StepImage{}, false
	}
	for i := range images {
		var m cacheMeta
		if json.Unmarshal([]byte(images[i].Metadata), &m) != nil || m.BuildCacheKey != key {
			continue
		}
		if img, err := e.stepImage(&images[i]); err == nil {
			return img, true
		}
	}
	return StepImage{}, false
}

// Step is what every step records: the config after it (its history
// entry included) and the key that finds it again.
type Step struct {
	Parent   StepImage
	Config   StepConfig
	CacheKey string
}

func (s Step) metadata() string {
	raw, _ := json.Marshal(cacheMeta{BuildCacheKey: s.CacheKey})
	return string(raw)
}

func (s Step) config() StepConfig {
	cfg := s.Config
	now := time.Now().UTC()
	cfg.Created = &now
	if n := len(cfg.History); n > 0 && cfg.History[n-1].Created == nil {
		cfg.History[n-1].Created = &now
	}
	return cfg
}

// ConfigStep records an image that changes only the configuration.
func (e *Engine) ConfigStep(s Step) (StepImage, error) {
	cfg := s.config()
	cfg.RootFS = s.Parent.Config.RootFS
	if cfg.RootFS.Type == "" {
		cfg.RootFS.Type = "layers"
	}
	id, err := imageio.RecordConfig(e.store, s.Parent.top, cfg, s.metadata())
	if err != nil {
		return StepImage{}, err
	}
	return e.stepByID(id)
}

func (e *Engine) stepByID(id string) (StepImage, error) {
	img, err := e.store.Image(id)
	if err != nil {
		return StepImage{}, fmt.Errorf("image %s: %w", id, err)
	}
	return e.stepImage(img)
}

// RunStepOptions say how a RUN step runs its command.
type RunStepOptions struct {
	Step
	Command []string
	Env     []string // the config's and the build arguments'
	Network string
	Mounts  []StepMount
}

// RunStep runs a command in a container of the parent image, with this
// process's stdout and stderr, and commits what it changed. A command
// that fails makes no image; its exit code comes back with the error.
func (e *Engine) RunStep(ctx context.Context, o RunStepOptions) (StepImage, int, error) {
	if o.Parent.ID == "" {
		return StepImage{}, 0, fmt.Errorf("%w: RUN needs a base image (this stage is FROM scratch)", errdefs.ErrInvalidArgument)
	}
	none := ""
	opt, err := prepare(ContainerOptions{
		Image: o.Parent.ID, Command: o.Command, Entrypoint: &none, Env: o.Env,
		Workdir: o.Config.Config.WorkingDir, User: o.Config.Config.User, Network: o.Network, AutoRemove: true,
		// A step's output goes to the build's; its container keeps no log.
		LogDriver: "none",
	}, e.warn)
	if err != nil {
		return StepImage{}, 0, err
	}
	var made string
	var code int
	err = e.withStepMounts(o.Mounts, func(mounts []specs.Mount) error {
		stubs := &mountStubs{e: e}
		for _, m := range mounts {
			stubs.targets = append(stubs.targets, m.Destination)
		}
		run := lifecycle.RunOpt{CreateOpt: opt}
		run.Mounts = append(slices.Clone(run.Mounts), mounts...)
		run.OnCreated = stubs.before
		run.OnExited = func(id string, code int) error {
			if code != 0 {
				return nil
			}
			if err := stubs.after(id); err != nil {
				return err
			}
			ctr, err := e.store.Container(id)
			if err != nil {
				return err
			}
			made, err = imageio.CommitOnto(e.store, ctr.LayerID, o.Parent.top, o.config(), o.metadata())
			return err
		}
		code, err = lifecycle.Run(e.store, e.paths.RunRoot, run)
		return err
	})
	if err != nil || code != 0 {
		return StepImage{}, code, err
	}
	img, err := e.stepByID(made)
	return img, 0, err
}

// CopyStepOptions say what a COPY or ADD step copies.
type CopyStepOptions struct {
	Step
	// FromDir is the host directory (the build context) the sources are
	// in; FromImage, if set, is the image whose root they are in instead.
	FromDir   string
	FromImage string
	Sources   []string // relative to that root
	Dest      string   // absolute
	// Chown is --chown's USER[:GROUP], names resolved in the parent
	// image's /etc/passwd and /etc/group; "" keeps root.
	Chown string
	Mode  *uint32
	Skip  func(path string) bool
	// KeepOwners keeps the sources' owners (an extracted archive).
	KeepOwners bool
}

// CopyStep copies files into a container of the parent image, through
// descriptors resolved inside both roots, and commits them as a layer.
func (e *Engine) CopyStep(o CopyStepOptions) (StepImage, error) {
	base := o.Parent.ID
	if base == "" {
		empty, done, err := e.emptyImage()
		if err != nil {
			return StepImage{}, err
		}
		defer done()
		base = empty
	}
	var made string
	err := lifecycle.WithScratch(e.store, e.paths.RunRoot, base, func(id string, root *os.File) error {
		var owner *Owner
		if o.Chown != "" {
			own, err := lifecycle.ResolveOwner(root, o.Chown)
			if err != nil {
				return err
			}
			owner = &own
		}
		err := e.withSource(o, func(from *os.File) error {
			return lifecycle.Put(root, lifecycle.PutOpt{From: from, Sources: o.Sources, Dest: o.Dest, Owner: owner, Mode: o.Mode, Skip: o.Skip, KeepOwners: o.KeepOwners})
		})
		if err != nil {
			return err
		}
		ctr, err := e.store.Container(id)
		if err != nil {
			return err
		}
		made, err = imageio.CommitOnto(e.store, ctr.LayerID, o.Parent.top, o.config(), o.metadata())
		return err
	})
	if err != nil {
		return StepImage{}, err
	}
	return e.stepByID(made)
}

// withSource holds the root the sources are resolved in.
func (e *Engine) withSource(o CopyStepOptions, fn func(from *os.File) error) error {
	if o.FromImage == "" {
		fd, err := unix.Open(o.FromDir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("open the build context: %w", &os.PathError{Op: "open", Path: o.FromDir, Err: err})
		}
		dir := os.NewFile(uintptr(fd), o.FromDir)
		defer dir.Close()
		return fn(dir)
	}
	return lifecycle.WithScratch(e.store, e.paths.RunRoot, o.FromImage, func(_ string, root *os.File) error {
		return fn(root)
	})
}

// emptyImage is an image of one empty layer, the vehicle for a COPY on
// scratch (a container needs an image; the step's layer is put on no
// parent, so the vehicle is in no result). done removes it.
func (e *Engine) emptyImage() (string, func(), error) {
	layer, _, err := e.store.PutLayer("", "", nil, "", false, nil, bytes.NewReader(make([]byte, 1024)))
	if err != nil {
		return "", nil, fmt.Errorf("create an empty layer: %w", err)
	}
	var cfg StepConfig
	cfg.RootFS = imgspecv1.RootFS{Type: "layers", DiffIDs: []digest.Digest{layer.UncompressedDigest}}
	cfg.OS, cfg.Architecture = "linux", runtime.GOARCH
	now := time.Now().UTC()
	cfg.Created = &now
	id, err := imageio.RecordConfig(e.store, layer.ID, cfg, "")
	if err != nil {
		_ = e.store.DeleteLayer(layer.ID)
		return "", nil, err
	}
	return id, func() {
		if _, err := e.store.DeleteImage(id, true); err != nil && !errors.Is(err, storage.ErrImageUnknown) {
			e.warn(fmt.Sprintf("remove the scratch image %s: %v", id[:12], err))
		}
	}, nil
}

// RemoveStepImages deletes images a build made and does not keep (a
// failed build with --no-cache, or --layers=false): unnamed ones only.
func (e *Engine) RemoveStepImages(ids []string) {
	for i := len(ids) - 1; i >= 0; i-- {
		img, err := e.store.Image(ids[i])
		if err != nil || len(img.Names) > 0 {
			continue
		}
		_, _ = e.store.DeleteImage(ids[i], true)
	}
}

// SquashStep records what top (a stage's last step) changed since base
// (the image the stage started from) as one layer on base, with top's
// config: a build with --layers=false keeps one new layer per image. The
// history keeps every step's line, only the last that made a layer
// marked as making one, so that lines and layers still pair up.
func (e *Engine) SquashStep(base, top StepImage) (StepImage, error) {
	cfg := cloneStepConfig(top.Config)
	baseIDs := base.Config.RootFS.DiffIDs
	if top.top == base.top {
		return top, nil // no step made a layer
	}
	from := base.top
	if from == "" {
		// Diff needs a layer to compare with: scratch is an empty one.
		empty, _, err := e.store.PutLayer("", "", nil, "", false, nil, bytes.NewReader(make([]byte, 1024)))
		if err != nil {
			return StepImage{}, fmt.Errorf("create an empty layer: %w", err)
		}
		defer func() { _ = e.store.DeleteLayer(empty.ID) }()
		from = empty.ID
	}
	diff, err := e.layerDiff(from, top.top)
	if err != nil {
		return StepImage{}, fmt.Errorf("squash the build's layers: %w", err)
	}
	defer diff.Close()
	layer, _, err := e.store.PutLayer("", base.top, nil, "", false, nil, diff)
	if err != nil {
		return StepImage{}, fmt.Errorf("squash the build's layers: %w", err)
	}
	cfg.RootFS.DiffIDs = append(slices.Clone(baseIDs), layer.UncompressedDigest)
	last := -1
	for i := len(base.Config.History); i < len(cfg.History); i++ {
		if !cfg.History[i].EmptyLayer {
			last = i
		}
		cfg.History[i].EmptyLayer = true
	}
	if last >= 0 {
		cfg.History[last].EmptyLayer = false
	}
	id, err := imageio.RecordConfig(e.store, layer.ID, cfg, "")
	if err != nil {
		_ = e.store.DeleteLayer(layer.ID)
	}
	return e.stepByIDAfter(id, err)
}

// layerDiff is the tar of what changed from one layer to another, in an
// unlinked temporary file: the store's diff reader holds the layer lock
// that adding the new layer needs.
func (e *Engine) layerDiff(from, to string) (*os.File, error) {
	f, err := os.CreateTemp("", "squash-")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	diff, err := e.store.Diff(from, to, nil)
	if err == nil {
		_, err = io.Copy(f, diff)
		diff.Close()
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func (e *Engine) stepByIDAfter(id string, err error) (StepImage, error) {
	if err != nil {
		return StepImage{}, err
	}
	return e.stepByID(id)
}

func cloneStepConfig(c StepConfig) StepConfig {
	c.History = slices.Clone(c.History)
	c.RootFS.DiffIDs = slices.Clone(c.RootFS.DiffIDs)
	return c
}
