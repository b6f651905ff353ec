// Package nsjoin moves `burrow exec`'s helper into a running container's
// namespaces before the Go runtime starts: mount and user namespaces can
// only be joined by a single-threaded process (see userns/nsenter).
//
// When _BURROW_EXEC_PID names the container's PID 1, the constructor joins
// its cgroup, IPC, UTS, network, PID and mount namespaces (the user
// namespace is burrow's holder's, which the caller is already in), then
// forks into the PID namespace. When _BURROW_JOIN_NETNS names a namespace
// file instead, a container init joins that network namespace
// (--network container:NAME). A failure is reported through Err for the Go
// side to send back.
// Import it only from burrow-init and burrow.
package nsjoin
