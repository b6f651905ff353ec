// Package ocispec builds the OCI runtime spec of a container from its
// image config and the user's run options, and parses the run flags that
// become mounts (-v, --tmpfs). It is pure: no syscalls, no files, so every
// rule is table-tested.
//
// The spec is the whole contract between the CLI and the container init
// (package container); anything init needs travels in it.
package ocispec
