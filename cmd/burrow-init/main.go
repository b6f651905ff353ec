// Command burrow-init is the container's first process before it execs the
// user's command. It is burrow's container init on its own, so that every
// container start pays the start-up of a small binary rather than of the
// whole CLI with its storage and image libraries; burrow falls back to
// re-executing itself when this binary is not installed beside it.
package main

import "github.com/burrow/burrow/container"

func main() { container.Init() }
