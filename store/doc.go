// Package store opens burrow's containers/storage store (image layers,
// container read-write layers, their records) with the driver chosen by
// fuseoverlay, and answers the image questions the run path needs (find an
// image by name or ID, read its OCI config) without linking the registry
// code of containers/image.
//
// Open it only inside burrow's user namespace: the store's files belong to
// the subordinate IDs and its mounts live in the holder's mount namespace.
package store
