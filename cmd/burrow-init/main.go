// Command burrow-init is the container's first process before it execs the
// user's command, the --init reaper, the helper of `burrow exec`, and the
// monitor of a detached container that is on no user-defined network. It
// is burrow's container init on its own, so that every container start
// pays the start-up of a small binary rather than of the whole CLI with its
// storage and image libraries; burrow falls back to re-executing itself
// when this binary is not installed beside it. User-defined networks
// (netlink, nftables, the rootless netns holder with its DNS responder)
// are burrow's alone: the monitor of a container on them, and the holder,
// run as burrow (see docs/internal.md).
package main

import (
	"os"
	"runtime"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/container/nsjoin"
	"github.com/burrow/burrow/monitor"
	"github.com/burrow/burrow/network/nobridge"
)

// Per-thread credentials, capabilities and seccomp in the container's init,
// exec helper and reaper must be set on the thread that execs: keep the main
// goroutine on the main thread from the start.
func init() { runtime.LockOSThread() }

func main() {
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case container.ReapVerb:
			os.Exit(container.Reap())
		case container.ExecVerb:
			container.ExecInit(nsjoin.Err())
			return
		case monitor.Verb:
			os.Exit(monitor.Main(nobridge.For))
		case monitor.ExecVerb:
			os.Exit(monitor.ExecMain())
		}
	}
	container.Init(nsjoin.Err())
}
