// Package fuseoverlay chooses the storage driver for the root filesystems
// by trying each one for real inside burrow's user namespace: the kernel's
// overlay (with userxattr, kernel 5.11+), then fuse-overlayfs, then vfs.
// A kernel version number is never trusted; a mount is.
//
// Call Choose inside the user namespace (after userns.Ensure); outside it
// the native probe fails for lack of privilege and the answer is wrong.
package fuseoverlay
