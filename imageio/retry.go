package imageio

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// withRetry runs op once and then up to retries more times while it fails
// in a way a later try may not (the network, the registry overloaded or
// down): a fixed delay when given, else 2s doubling, as podman waits.
func withRetry(ctx context.Context, t Transport, retries int, delay time.Duration, op func() error) error {
	wait := delay
	if wait <= 0 {
		wait = 2 * time.Second
	}
	for attempt := 0; ; attempt++ {
		err := op()
		if err == nil || attempt >= retries || !retryable(t, err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		if delay <= 0 {
			wait *= 2
		}
	}
}

// retryable: failures of the connection or of the server, not answers
// (unknown image, refused credentials) that a retry would only repeat.
func retryable(t Transport, err error) bool {
	var netErr net.Error
	return t.ServerFailed(err) || errors.As(err, &netErr) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, io.ErrUnexpectedEOF)
}
