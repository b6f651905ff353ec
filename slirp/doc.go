// Package slirp connects a container's network namespace to the host
// without root, with a user-mode network stack: pasta or slirp4netns,
// started when the container's init exists and stopped with it, and
// publishes ports (-p) through the stack.
//
// It runs the helpers from burrow's user namespace, where it owns the
// container's network namespace. Do not use it for --network none or host.
package slirp
