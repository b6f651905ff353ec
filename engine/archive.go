package engine

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"go.podman.io/storage/pkg/archive"
)

// The tar and container-to-container copies go through a private
// directory with CopyOut and CopyIn, which resolve every container path
// once inside its root: tar is only ever read or written on the host side.

// CopyOutTar writes src of container ref to w as a tar stream (docker cp
// CTR:SRC -).
func (e *Engine) CopyOutTar(ref, src string, w io.Writer, o CopyOptions) error {
	return e.viaTemp(func(tmp string) error {
		if err := e.CopyOut(ref, src, tmp, CopyOptions{NoFollow: o.NoFollow}); err != nil {
			return err
		}
		// The whole private directory, which holds only the copy: naming
		// the copy would have the walk follow it when it is a symlink
		// (--follow-link=false), out of the directory and so to nothing.
		rc, err := archive.TarWithOptions(tmp, &archive.TarOptions{})
		if err != nil {
			return err
		}
		defer rc.Close()
		_, err = io.Copy(w, rc)
		return err
	})
}

// CopyInTar extracts the tar stream r into the existing directory dst of
// container ref (docker cp - CTR:DST).
func (e *Engine) CopyInTar(ref, dst string, r io.Reader, o CopyOptions) error {
	st, err := e.Stat(ref, dst)
	if err != nil {
		return err
	}
	if !st.Mode.IsDir() {
		return fmt.Errorf("%w: %s in the container is not a directory (a tar goes into one)", errdefs.ErrInvalidArgument, dst)
	}
	return e.viaTemp(func(tmp string) error {
		if err := archive.Untar(r, tmp, &archive.TarOptions{}); err != nil {
			return fmt.Errorf("%w: the tar on stdin: %v", errdefs.ErrInvalidArgument, err)
		}
		return e.copyEntriesIn(ref, tmp, dst, o)
	})
}

// CopyBetween copies src of container from to dst of container to; the
// temporary copy keeps the owners, so that o decides alone.
func (e *Engine) CopyBetween(from, src, to, dst string, o CopyOptions) error {
	c, err := e.Container(from)
	if err != nil {
		return err
	}
	return e.viaTemp(func(tmp string) error {
		if err := lifecycle.CopyOut(e.store, c, src, tmp, lifecycle.CopyOpt{Keep: true, NoFollow: o.NoFollow}); err != nil {
			return err
		}
		return e.copyEntriesIn(to, tmp, dst, o)
	})
}

// copyEntriesIn copies what a private directory holds into dst: a symlink
// there is the source's own, to be copied as a link, never followed on the
// host.
func (e *Engine) copyEntriesIn(ref, dir, dst string, o CopyOptions) error {
	o.NoFollow = true
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, en := range entries {
		if err := e.CopyIn(ref, filepath.Join(dir, en.Name()), dst, o); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) viaTemp(fn func(tmp string) error) error {
	tmp, err := os.MkdirTemp(e.tmp, "cp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	return fn(tmp)
}
