// Package container starts a container from an OCI runtime spec, in two
// halves split by the side of the fork:
//
//   - start.go, the parent: runs in the holder's namespaces, starts the
//     init with new PID, mount, UTS, IPC, cgroup (and network) namespaces,
//     sends it the spec, receives its terminal, and reports how the
//     container's command failed to start, if it did.
//   - init.go, the child: becomes the container's PID 1, builds the root
//     filesystem (mounts.go), drops privileges (caps.go) and execs the
//     command.
//
// The messages between them and their order are in sync.go. The package
// does not know about images, names or the store; cmd/burrow wires those.
package container
