package volume

import (
	"fmt"
	"io"

	"go.podman.io/storage/pkg/archive"
	"go.podman.io/storage/pkg/chrootarchive"
)

// Export writes the volume's content as an uncompressed tar. The reader
// is chrooted into the volume, so a symlink a container left there reads
// nothing outside it.
func Export(v Volume, w io.Writer) error {
	if !v.CopiesUp() {
		return fmt.Errorf("volume %s: export needs a volume in burrow's own directory (not tmpfs or a bind)", v.Name)
	}
	rc, err := chrootarchive.Tar(v.Mountpoint, &archive.TarOptions{Compression: archive.Uncompressed}, v.Mountpoint)
	if err != nil {
		return fmt.Errorf("export volume %s: %w", v.Name, err)
	}
	defer rc.Close()
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("export volume %s: %w", v.Name, err)
	}
	return rc.Close()
}

// Import unpacks a tar (plain or compressed) into the volume, over what
// it holds; the writer is chrooted into the volume.
func Import(v Volume, r io.Reader) error {
	if !v.CopiesUp() {
		return fmt.Errorf("volume %s: import needs a volume in burrow's own directory (not tmpfs or a bind)", v.Name)
	}
	if err := chrootarchive.Untar(r, v.Mountpoint, &archive.TarOptions{}); err != nil {
		return fmt.Errorf("import into volume %s: %w", v.Name, err)
	}
	return nil
}
