package imageio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/burrow/burrow/errdefs"
	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/docker/reference"
	imgmanifest "go.podman.io/image/v5/manifest"
	"go.podman.io/image/v5/pkg/docker/config"
	"go.podman.io/image/v5/pkg/sysregistriesv2"
	"go.podman.io/image/v5/signature"
	istorage "go.podman.io/image/v5/storage"
	"go.podman.io/image/v5/types"
	"go.podman.io/storage"
)

// Transport is containers/image's docker transport: registry references
// and the login check. It is handed in (package imageio/dockertransport)
// rather than imported, because its package initialisation (the
// reference grammar's regexps of distribution/reference, about a
// millisecond) would weigh on the start of every burrow command, which
// links imageio; only burrow-build, which pulls, pushes and logs in, links
// it.
type Transport interface {
	NewReference(named reference.Named) (types.ImageReference, error)
	CheckAuth(ctx context.Context, sys *types.SystemContext, user, password, registry string) error
	// ServerFailed reports whether err is the registry's answer that it
	// failed (429 or 5xx), which a later try may not repeat.
	ServerFailed(err error) bool
}

// ErrNoTransport is a registry operation of a binary built without the
// docker transport (burrow, which hands such commands to burrow-build).
var ErrNoTransport = errors.New("this binary has no registry client")

// RegistryOpt are the registry settings of pull, push and login.
type RegistryOpt struct {
	// Transport reaches the registry; nil: ErrNoTransport.
	Transport Transport
	TLSVerify *bool  // nil: registries.conf decides (insecure = true), else verify
	CertDir   string // extra CA certificates and client keys
	AuthFile  string // default: $XDG_RUNTIME_DIR/containers/auth.json, then ~/.docker/config.json
	Platform  string // os/arch[/variant], default the host's
	Report    io.Writer
	// Credentials, when given, are used instead of the credentials file
	// (the API's X-Registry-Auth).
	Credentials *types.DockerAuthConfig
	// Retry is how many more times a pull that failed on the network or
	// the server is tried, RetryDelay the wait between (0: 2s, doubling).
	Retry      int
	RetryDelay time.Duration
}

func (o RegistryOpt) system() *types.SystemContext {
	sys := &types.SystemContext{DockerCertPath: o.CertDir, AuthFilePath: o.AuthFile, DockerAuthConfig: o.Credentials}
	if o.TLSVerify != nil {
		sys.DockerInsecureSkipTLSVerify = types.NewOptionalBool(!*o.TLSVerify)
	}
	if parts := strings.Split(o.Platform, "/"); o.Platform != "" {
		sys.OSChoice = parts[0]
		if len(parts) > 1 {
			sys.ArchitectureChoice = parts[1]
		}
		if len(parts) > 2 {
			sys.VariantChoice = parts[2]
		}
	}
	return sys
}

// PullCandidates lists the full names a reference may mean: itself when it
// names a registry, else one per unqualified-search registry of
// registries.conf (docker.io when none is set).
func PullCandidates(ref string, sys *types.SystemContext) ([]reference.Named, error) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, fmt.Errorf("invalid image reference %q: %w", ref, errdefs.ErrInvalidArgument)
	}
	if hasExplicitRegistry(ref) {
		return []reference.Named{reference.TagNameOnly(named)}, nil
	}
	registries, err := sysregistriesv2.UnqualifiedSearchRegistries(sys)
	if err != nil {
		return nil, fmt.Errorf("read registries.conf: %w", err)
	}
	if len(registries) == 0 {
		registries = []string{"docker.io"}
	}
	var out []reference.Named
	for _, reg := range registries {
		full, err := reference.ParseNormalizedNamed(reg + "/" + ref)
		if err == nil {
			out = append(out, reference.TagNameOnly(full))
		}
	}
	return out, nil
}

func hasExplicitRegistry(ref string) bool {
	first, _, found := strings.Cut(ref, "/")
	return found && (strings.ContainsAny(first, ".:") || first == "localhost")
}

// Pull copies an image from the first registry that has it into the store
// and returns the stored name and ID.
func Pull(ctx context.Context, s storage.Store, ref string, opt RegistryOpt) (string, string, error) {
	if opt.Transport == nil {
		return "", "", fmt.Errorf("pull %s: %w", ref, ErrNoTransport)
	}
	sys := opt.system()
	candidates, err := PullCandidates(ref, sys)
	if err != nil {
		return "", "", err
	}
	var errs []error
	for _, named := range candidates {
		var id string
		err := withRetry(ctx, opt.Transport, opt.Retry, opt.RetryDelay, func() (err error) {
			id, err = pullOne(ctx, s, named, sys, opt)
			return err
		})
		if err == nil {
			return named.String(), id, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", named, err))
	}
	return "", "", fmt.Errorf("pull %s: %w: %w", ref, errdefs.ErrImageUnknown, errors.Join(errs...))
}

func pullOne(ctx context.Context, s storage.Store, named reference.Named, sys *types.SystemContext, opt RegistryOpt) (string, error) {
	src, err := opt.Transport.NewReference(named)
	if err != nil {
		return "", err
	}
	dst, err := istorage.Transport.NewStoreReference(s, named, "")
	if err != nil {
		return "", err
	}
	manifest, err := copyImage(ctx, dst, checkedReference{src}, &copy.Options{SourceCtx: sys, ReportWriter: opt.Report})
	if err != nil {
		return "", err
	}
	return imageID(manifest)
}

// Pushed is what a push left in the registry: the manifest under a tag.
type Pushed struct {
	Tag    string // "" when the destination named a digest
	Digest string // of the manifest, sha256:...
	Size   int    // of the manifest, in bytes
}

// Push copies a stored image to a registry reference (docker:// implied).
func Push(ctx context.Context, s storage.Store, imageID, dest string, opt RegistryOpt) (Pushed, error) {
	named, err := reference.ParseNormalizedNamed(dest)
	if err != nil {
		return Pushed{}, fmt.Errorf("invalid destination %q: %w", dest, errdefs.ErrInvalidArgument)
	}
	named = reference.TagNameOnly(named)
	if opt.Transport == nil {
		return Pushed{}, fmt.Errorf("push %s: %w", dest, ErrNoTransport)
	}
	dst, err := opt.Transport.NewReference(named)
	if err != nil {
		return Pushed{}, err
	}
	src, err := istorage.Transport.NewStoreReference(s, nil, imageID)
	if err != nil {
		return Pushed{}, err
	}
	var manifest []byte
	err = withRetry(ctx, opt.Transport, opt.Retry, opt.RetryDelay, func() (err error) {
		manifest, err = copyImage(ctx, dst, src, &copy.Options{DestinationCtx: opt.system(), ReportWriter: opt.Report})
		return err
	})
	if err != nil {
		return Pushed{}, fmt.Errorf("push %s: %w", dest, err)
	}
	digest, err := imgmanifest.Digest(manifest)
	if err != nil {
		return Pushed{}, fmt.Errorf("push %s: %w", dest, err)
	}
	p := Pushed{Digest: digest.String(), Size: len(manifest)}
	if tagged, ok := named.(reference.Tagged); ok {
		p.Tag = tagged.Tag()
	}
	return p, nil
}

func copyImage(ctx context.Context, dst, src types.ImageReference, opts *copy.Options) ([]byte, error) {
	policy, err := signature.NewPolicyContext(&signature.Policy{
		Default: []signature.PolicyRequirement{signature.NewPRInsecureAcceptAnything()},
	})
	if err != nil {
		return nil, err
	}
	defer func() { _ = policy.Destroy() }()
	return copy.Image(ctx, policy, dst, src, withBigFiles(opts))
}

// Login checks the credentials with the registry and stores them.
func Login(ctx context.Context, registry, user, password string, opt RegistryOpt) error {
	sys := opt.system()
	if err := CheckLogin(ctx, registry, user, password, opt); err != nil {
		return err
	}
	if err := config.SetAuthentication(sys, registry, user, password); err != nil {
		return fmt.Errorf("store credentials for %s: %w", registry, err)
	}
	return nil
}

// CheckLogin checks credentials at a registry without storing them.
func CheckLogin(ctx context.Context, registry, user, password string, opt RegistryOpt) error {
	if opt.Transport == nil {
		return fmt.Errorf("log in to %s: %w", registry, ErrNoTransport)
	}
	if err := opt.Transport.CheckAuth(ctx, opt.system(), user, password, registry); err != nil {
		return fmt.Errorf("log in to %s: %w", registry, err)
	}
	return nil
}

// Logout forgets the credentials of a registry.
func Logout(registry string, opt RegistryOpt) error {
	if err := config.RemoveAuthentication(opt.system(), registry); err != nil {
		return fmt.Errorf("log out of %s: %w", registry, err)
	}
	return nil
}
