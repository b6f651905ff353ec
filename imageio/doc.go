// Package imageio brings images into the store from archives (load:
// docker-archive and oci-archive; import: a root filesystem tarball) with
// containers/image, whose storage destination writes layers through
// containers/storage: extraction is confined to the layer (chroot), and
// a layer is only visible once complete, so a killed load leaves no half
// image behind.
//
// It links the whole image library: keep it off the run path.
package imageio
