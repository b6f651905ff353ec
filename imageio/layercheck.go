package imageio

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"go.podman.io/storage/pkg/archive"
)

// CheckArchive reads every layer of a docker-archive or oci-archive at
// path and refuses the archive when a layer holds an entry the store must
// not see (see checkLayer). It runs before anything reaches the store: the
// store's extractor reports neither which entry it failed on nor stops a
// sparse file from being written out in full.
func CheckArchive(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// Not a tar at all, or a broken one: the loader says which.
			return nil
		}
		if hdr.Typeflag != tar.TypeReg {
			continue
		}
		// Layers are not known by name in every format (docker's
		// <id>/layer.tar, OCI's blobs/sha256/<digest>): any member that
		// reads as a tar is one.
		if err := checkStream(tr, hdr.Name); err != nil {
			return err
		}
	}
}

// CheckLayerFile checks a root filesystem tarball (plain or compressed)
// for import; a file that is not a tar is left for the importer to refuse.
func CheckLayerFile(file string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
	}
	defer f.Close()
	return checkStream(f, file)
}

// checkStream decompresses r when it is compressed and checks it as a
// layer; a stream that does not start as a tar is no layer and passes.
func checkStream(r io.Reader, layer string) error {
	plain, err := archive.DecompressStream(r)
	if err != nil {
		return nil
	}
	defer plain.Close()
	return checkLayer(tar.NewReader(plain), layer)
}

// checkLayer refuses, naming the entry:
//   - sparse files (GNU type 'S' or PAX GNU.sparse.* records): the
//     extractor would write every hole as zeros, a few KiB of archive
//     becoming gigabytes on disk;
//   - hard links to a name the layer has not stored before it, and names
//     that appear twice (the store's tar-split refuses them): the store
//     can only fail on them, with an error that names nothing.
func checkLayer(tr *tar.Reader, layer string) error {
	seen := map[string]bool{}  // by cleanName, for hard links
	names := map[string]bool{} // as tar-split compares them
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			// Not a tar (a config, a manifest), or a damaged one: the
			// store's own reading, after the digest check, says which.
			return nil
		}
		err = checkEntry(hdr, seen)
		if err == nil && names[filepath.Clean(hdr.Name)] {
			err = errors.New("appears twice in the layer")
		}
		if err != nil {
			return fmt.Errorf("%w: layer %s: entry %q: %v", errdefs.ErrInvalidArgument, layer, hdr.Name, err)
		}
		seen[cleanName(hdr.Name)] = true
		names[filepath.Clean(hdr.Name)] = true
	}
}

func checkEntry(hdr *tar.Header, seen map[string]bool) error {
	if isSparse(hdr) {
		return fmt.Errorf("is a sparse file (%d bytes with holes): sparse files are refused", hdr.Size)
	}
	if hdr.Typeflag == tar.TypeLink && !seen[cleanName(hdr.Linkname)] {
		return fmt.Errorf("is a hard link to %q, which is not an earlier entry of the same layer", hdr.Linkname)
	}
	return nil
}

func isSparse(hdr *tar.Header) bool {
	if hdr.Typeflag == tar.TypeGNUSparse {
		return true
	}
	for k := range hdr.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return true
		}
	}
	return false
}

// cleanName is an entry's path as the extractor resolves it: rooted at the
// layer, "./" and ".." folded.
func cleanName(name string) string {
	return path.Clean("/" + name)
}
