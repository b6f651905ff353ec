// Package dockertransport is imageio's way to registries: containers/image's
// docker transport behind imageio.Transport. Only burrow-build links it
// (pull, push, login, the API); burrow hands those commands over, so that
// the transport's package initialisation (distribution/reference's
// regexps) is no part of its start-up. Not for anything else: imageio does
// the work.
package dockertransport

import (
	"context"
	"errors"

	"go.podman.io/image/v5/docker"
	"go.podman.io/image/v5/docker/reference"
	"go.podman.io/image/v5/types"
)

// Transport is the docker transport as an imageio.Transport.
type Transport struct{}

// NewReference is the registry reference of named.
func (Transport) NewReference(named reference.Named) (types.ImageReference, error) {
	return docker.NewReference(named)
}

// CheckAuth logs in to registry with the credentials, storing nothing.
func (Transport) CheckAuth(ctx context.Context, sys *types.SystemContext, user, password, registry string) error {
	return docker.CheckAuth(ctx, sys, user, password, registry)
}

// ServerFailed: the registry answered 429 or 5xx.
func (Transport) ServerFailed(err error) bool {
	var status docker.UnexpectedHTTPStatusError
	return errors.As(err, &status) && (status.StatusCode == 429 || status.StatusCode >= 500)
}
