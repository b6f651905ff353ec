// Package nsenter joins burrow's holder namespaces before the Go runtime
// starts. Import it for its side effect from the burrow binary only.
//
// Joining a user namespace with setns(2) is refused to a multi-threaded
// process, and a Go program has several threads before main runs. A C
// constructor runs while the process still has one thread, so the join
// happens there, as runc's nsexec and podman's pause-process join do.
//
// The constructor does nothing when _BURROW_IN_USERNS is set (the process
// is already inside) or when no live holder is recorded. It joins the
// holder named by _BURROW_JOIN_PID, else the one recorded in
// $XDG_RUNTIME_DIR/burrow/holder.pid (pid and start time, so a reused pid
// is not joined). A failed join is reported through _BURROW_JOIN_ERROR and
// the Go side decides what to do; the constructor never exits the process.
//
// Do not import this package from tests or libraries: it changes the
// namespaces of whatever process links it.
package nsenter
