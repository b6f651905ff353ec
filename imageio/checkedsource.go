package imageio

import (
	"context"
	"io"

	"go.podman.io/image/v5/types"
)

// checkedReference is src whose blobs pass checkLayer as they are read, for
// copies whose source burrow cannot check beforehand (a registry). The
// store's destination spools each blob before extracting it, so a refused
// layer fails the copy before anything of it is written out.
type checkedReference struct{ types.ImageReference }

func (r checkedReference) NewImageSource(ctx context.Context, sys *types.SystemContext) (types.ImageSource, error) {
	src, err := r.ImageReference.NewImageSource(ctx, sys)
	if err != nil {
		return nil, err
	}
	return checkedSource{src}, nil
}

// checkedSource offers only types.ImageSource's methods: partial pulls
// (GetBlobAt) would bypass the check.
type checkedSource struct{ types.ImageSource }

func (s checkedSource) GetBlob(ctx context.Context, info types.BlobInfo, cache types.BlobInfoCache) (io.ReadCloser, int64, error) {
	rc, size, err := s.ImageSource.GetBlob(ctx, info, cache)
	if err != nil {
		return nil, 0, err
	}
	return newCheckedBlob(rc, info.Digest.String()), size, nil
}

// checkedBlob passes what it reads to a checker running beside it; the
// checker's refusal becomes the reader's error.
type checkedBlob struct {
	rc    io.ReadCloser
	pw    *io.PipeWriter
	done  chan error
	ended bool  // the checker's verdict was taken
	err   error // and this is it
}

func newCheckedBlob(rc io.ReadCloser, name string) *checkedBlob {
	pr, pw := io.Pipe()
	b := &checkedBlob{rc: rc, pw: pw, done: make(chan error, 1)}
	go func() {
		err := checkStream(pr, name)
		if err != nil {
			_ = pr.CloseWithError(err) // the reader's next write fails with it
		} else {
			_, _ = io.Copy(io.Discard, pr) // past the tar's end, or not a tar
		}
		b.done <- err
	}()
	return b
}

func (b *checkedBlob) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		if _, werr := b.pw.Write(p[:n]); werr != nil {
			return 0, werr
		}
	}
	if err == io.EOF {
		if !b.ended {
			_ = b.pw.Close()
			b.err, b.ended = <-b.done, true
		}
		if b.err != nil {
			return 0, b.err
		}
	}
	return n, err
}

func (b *checkedBlob) Close() error {
	_ = b.pw.CloseWithError(io.ErrClosedPipe)
	return b.rc.Close()
}
