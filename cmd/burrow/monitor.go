package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/store"
)

// monitorMain runs a detached container's monitor (argv: ID). Its stdio
// is not a terminal anyone reads: failures go to monitor.log beside the
// container's run files, and the starting CLI gets them through fd 3.
func monitorMain(args []string) int {
	if len(args) != 1 {
		return errdefs.ExitBurrow
	}
	ready := os.NewFile(3, "ready")
	p, err := enterNamespace()
	if err != nil {
		fmt.Fprintf(ready, `{"code":125,"message":%q}`+"\n", err.Error())
		return errdefs.ExitBurrow
	}
	s, _, err := store.Open(store.Opt{Paths: p, Driver: os.Getenv("BURROW_STORAGE_DRIVER")})
	if err != nil {
		fmt.Fprintf(ready, `{"code":125,"message":%q}`+"\n", err.Error())
		return errdefs.ExitBurrow
	}
	defer func() { _, _ = s.Shutdown(false) }()
	if err := lifecycle.RunMonitor(s, p.RunRoot, args[0], ready); err != nil {
		if dir, derr := s.ContainerRunDirectory(args[0]); derr == nil {
			_ = os.WriteFile(filepath.Join(dir, "monitor.log"), []byte(err.Error()+"\n"), 0o600)
		}
		return errdefs.ExitBurrow
	}
	return 0
}
