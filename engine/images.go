package engine

import (
	"context"
	"errors"
	"fmt"
	dockerspec "github.com/moby/docker-image-spec/specs-go/v1"
	imgmanifest "go.podman.io/image/v5/manifest"
	"io"
	"slices"
	"sort"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/imageio"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/store"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
)

// Types of the image side that the front ends read.
type (
	ImageConfig = imgspecv1.Image
	History     = imgspecv1.History
)

// RegistryOptions say how to reach a registry.
type RegistryOptions struct {
	TLSVerify *bool  // nil: registries.conf decides
	CertDir   string // CA certificates and client keys
	AuthFile  string // "" the default credentials file
	Platform  string // os/arch[/variant] of a multi-arch image; "" the host's
	Progress  io.Writer
	// Username and Password (or IdentityToken), when given, are used
	// instead of the credentials file.
	Username, Password, IdentityToken string
	// Retry and RetryDelay: --retry, --retry-delay of a pull.
	Retry      int
	RetryDelay time.Duration
}

func (o RegistryOptions) imageio(t Transport) imageio.RegistryOpt {
	r := imageio.RegistryOpt{Transport: t, TLSVerify: o.TLSVerify, CertDir: o.CertDir, AuthFile: o.AuthFile, Platform: o.Platform, Report: o.Progress,
		Retry: o.Retry, RetryDelay: o.RetryDelay}
	if o.Username != "" || o.IdentityToken != "" {
		r.Credentials = &types.DockerAuthConfig{Username: o.Username, Password: o.Password, IdentityToken: o.IdentityToken}
	}
	return r
}

// Image is one image in the store.
type Image struct {
	ID      string
	Names   []string // full names: docker.io/library/busybox:latest
	Digest  string   // of the manifest it was pulled by, "" if none
	Digests []string
	Created time.Time
	Size    int64
	// ManifestType is the media type of the manifest the store keeps.
	ManifestType string
	// NamesHistory are the names the image has had, latest first.
	NamesHistory []string
}

// ImageDetails are an image and its configuration.
type ImageDetails struct {
	Image
	Config ImageConfig
	// Docker is what docker's configuration has beyond the OCI one.
	Docker DockerExtras
}

// DockerExtras are a Dockerfile's HEALTHCHECK, ONBUILD and SHELL, which
// docker's image configuration keeps and the OCI one has no field for.
type DockerExtras struct {
	Healthcheck *dockerspec.HealthcheckConfig `json:"Healthcheck,omitempty"`
	OnBuild     []string                      `json:"OnBuild,omitempty"`
	Shell       []string                      `json:"Shell,omitempty"`
}

// Pull copies an image from a registry into the store and returns its ID.
func (e *Engine) Pull(ctx context.Context, ref string, o RegistryOptions) (string, error) {
	_, id, err := imageio.Pull(ctx, e.store, ref, o.imageio(e.registry))
	if err == nil {
		e.imageEvent("pull", id, ref)
	}
	return id, err
}

// Pushed is the manifest a push left in the registry.
type Pushed = imageio.Pushed

// Push copies an image to a registry (to dest, or to its own name).
func (e *Engine) Push(ctx context.Context, ref, dest string, o RegistryOptions) (Pushed, error) {
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return Pushed{}, err
	}
	if dest == "" {
		dest = ref
	}
	return imageio.Push(ctx, e.store, img.ID, dest, o.imageio(e.registry))
}

// Login stores credentials for a registry after checking them there
// through t.
func Login(ctx context.Context, t Transport, registry, user, password string, o RegistryOptions) error {
	if _, err := Enter(nil); err != nil {
		return err
	}
	return imageio.Login(ctx, registry, user, password, o.imageio(t))
}

// CheckLogin checks credentials at a registry without storing them (the
// API's /auth: docker clients keep their own).
func (e *Engine) CheckLogin(ctx context.Context, registry, user, password string, o RegistryOptions) error {
	return imageio.CheckLogin(ctx, registry, user, password, o.imageio(e.registry))
}

// Logout forgets a registry's credentials.
func Logout(registry, authFile string) error {
	if _, err := Enter(nil); err != nil {
		return err
	}
	return imageio.Logout(registry, imageio.RegistryOpt{AuthFile: authFile})
}

// Save writes images to path as a docker-archive or an oci-archive.
func (e *Engine) Save(ctx context.Context, refs []string, path, format string, progress io.Writer) error {
	var items []imageio.SaveItem
	for _, ref := range refs {
		img, err := store.FindImage(e.store, ref)
		if err != nil {
			return err
		}
		name := matchedName(img, ref)
		if name == "" && len(img.Names) > 0 {
			name = img.Names[0]
		}
		items = append(items, imageio.SaveItem{ID: img.ID, Name: name})
	}
	return imageio.Save(ctx, e.store, items, path, format, progress)
}

// Load reads the images of an archive into the store and returns their names.
func (e *Engine) Load(ctx context.Context, path string, progress io.Writer) ([]string, error) {
	return imageio.Load(ctx, e.store, path, progress)
}

// ImportOptions describe an image made from a root filesystem tarball.
type ImportOptions struct {
	Path    string // the tarball (plain or compressed)
	Name    string // "" leaves it unnamed
	Changes []string
	Message string
}

// Import makes a one-layer image from a tarball and returns its ID.
func (e *Engine) Import(ctx context.Context, o ImportOptions, progress io.Writer) (string, error) {
	if err := CheckChanges(o.Changes); err != nil {
		return "", err
	}
	return imageio.Import(ctx, e.store, imageio.ImportOpt{Path: o.Path, Name: o.Name, Changes: o.Changes, Message: o.Message}, progress)
}

// NormalizeName is an image name in full (docker.io/library/x:latest).
func NormalizeName(name string) (string, error) { return store.Normalize(name) }

// Tag gives an image more names.
func (e *Engine) Tag(ref string, names ...string) error {
	var full []string
	for _, n := range names {
		f, err := store.Normalize(n)
		if err != nil {
			return err
		}
		full = append(full, f)
	}
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return err
	}
	if err := e.store.AddNames(img.ID, full); err != nil {
		return fmt.Errorf("tag %s: %w", ref, err)
	}
	for _, n := range full {
		e.imageEvent("tag", img.ID, n)
	}
	return nil
}

// Removed is what removing an image did.
type Removed struct {
	Untagged []string
	Deleted  string // the image's ID; "" when only a name went
}

// RemoveImage removes a name of an image that has others, else the image.
// With force it removes every container that uses the image (as rm -f
// does) and the image with all its names.
func (e *Engine) RemoveImage(ref string, force bool) (Removed, error) {
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return Removed{}, err
	}
	if name := matchedName(img, ref); name != "" && len(img.Names) > 1 && !force {
		if err := e.store.RemoveNames(img.ID, []string{name}); err != nil {
			return Removed{}, fmt.Errorf("untag %s: %w", name, err)
		}
		e.imageEvent("untag", img.ID, name)
		return Removed{Untagged: []string{name}}, nil
	}
	if force {
		if err := e.removeContainersOf(img.ID); err != nil {
			return Removed{}, err
		}
	}
	if _, err := e.store.DeleteImage(img.ID, true); err != nil {
		if errors.Is(err, storage.ErrImageUsedByContainer) {
			return Removed{}, fmt.Errorf("image %s is used by a container (remove it first, or use rmi -f): %w", ref, errdefs.ErrInUse)
		}
		return Removed{}, fmt.Errorf("remove image %s: %w", ref, err)
	}
	for _, n := range img.Names {
		e.imageEvent("untag", img.ID, n)
	}
	e.imageEvent("remove", img.ID, ref)
	return Removed{Untagged: img.Names, Deleted: img.ID}, nil
}

func matchedName(img *storage.Image, ref string) string {
	for _, c := range store.Candidates(ref) {
		if slices.Contains(img.Names, c) {
			return c
		}
	}
	return ""
}

func (e *Engine) removeContainersOf(imageID string) error {
	ctrs, err := e.Containers()
	if err != nil {
		return err
	}
	for _, c := range ctrs {
		stored, err := e.store.Container(c.ID)
		if err != nil || stored.ImageID != imageID {
			continue
		}
		if err := lifecycle.Remove(e.store, e.paths.RunRoot, c, true); err != nil {
			return fmt.Errorf("remove container %s of the image: %w", c.ID[:12], err)
		}
	}
	return nil
}

// PruneImages removes images no container uses: unnamed ones, or with
// all every one. It returns the IDs removed.
func (e *Engine) PruneImages(all bool) ([]string, error) {
	images, err := e.store.Images()
	if err != nil {
		return nil, err
	}
	ctrs, err := e.store.Containers()
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range ctrs {
		used[c.ImageID] = true
	}
	var removed []string
	var errs []error
	for _, img := range images {
		if used[img.ID] || (len(img.Names) > 0 && !all) {
			continue
		}
		if _, err := e.store.DeleteImage(img.ID, true); err != nil {
			errs = append(errs, fmt.Errorf("remove %s: %w", img.ID[:12], err))
			continue
		}
		removed = append(removed, img.ID)
	}
	return removed, errors.Join(errs...)
}

// Images lists the store's images, newest first.
func (e *Engine) Images() ([]Image, error) {
	images, err := e.store.Images()
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	sort.Slice(images, func(i, j int) bool { return images[i].Created.After(images[j].Created) })
	out := make([]Image, 0, len(images))
	for i := range images {
		out = append(out, e.image(&images[i]))
	}
	return out, nil
}

func (e *Engine) image(img *storage.Image) Image {
	size, _ := e.store.ImageSize(img.ID)
	out := Image{ID: img.ID, Names: img.Names, Digest: img.Digest.String(), Created: img.Created, Size: size, NamesHistory: img.NamesHistory}
	for _, d := range img.Digests {
		out.Digests = append(out.Digests, d.String())
	}
	if m, err := e.store.ImageBigData(img.ID, storage.ImageDigestBigDataKey); err == nil {
		out.ManifestType = imgmanifest.GuessMIMEType(m)
	}
	return out
}

// InspectImage finds an image and reads its configuration.
func (e *Engine) InspectImage(ref string) (ImageDetails, error) {
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return ImageDetails{}, err
	}
	var cfg StepConfig
	if err := store.ConfigInto(e.store, img, &cfg); err != nil {
		return ImageDetails{}, err
	}
	// docker's "config" fills the outer Config; the OCI part is inside it.
	oci := cfg.Image
	oci.Config = cfg.Config.ImageConfig
	d := cfg.Config
	extras := DockerExtras{Healthcheck: d.Healthcheck, OnBuild: d.OnBuild, Shell: d.Shell}
	return ImageDetails{Image: e.image(img), Config: oci, Docker: extras}, nil
}

// Untag removes names from an image (every name when none are given) and
// returns those it removed; the image itself stays.
func (e *Engine) Untag(ref string, names ...string) ([]string, error) {
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return nil, err
	}
	drop := img.Names
	if len(names) > 0 {
		drop = nil
		for _, n := range names {
			name := matchedName(img, n)
			if name == "" {
				return nil, fmt.Errorf("%s is not a name of image %s: %w", n, ref, errdefs.ErrImageUnknown)
			}
			drop = append(drop, name)
		}
	}
	if err := e.store.RemoveNames(img.ID, drop); err != nil {
		return nil, fmt.Errorf("untag %s: %w", ref, err)
	}
	for _, n := range drop {
		e.imageEvent("untag", img.ID, n)
	}
	return drop, nil
}
