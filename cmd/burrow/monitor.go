package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/store"
)

// finishMain records the end of a detached container for its monitor
// (argv: ID EXITCODE STARTED); the monitor itself links no store.
func finishMain(args []string) int {
	if len(args) != 3 {
		fmt.Fprintln(os.Stderr, "Error: __finish wants ID EXITCODE STARTED")
		return errdefs.ExitBurrow
	}
	code, err := strconv.Atoi(args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error: __finish: bad exit code:", args[1])
		return errdefs.ExitBurrow
	}
	if err := finish(args[0], code, args[2] == "true"); err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		return errdefs.ExitBurrow
	}
	return 0
}

func finish(id string, code int, started bool) error {
	p, err := enterNamespace()
	if err != nil {
		return err
	}
	s, _, err := store.Open(store.Opt{Paths: p, Driver: os.Getenv("BURROW_STORAGE_DRIVER")})
	if err != nil {
		return err
	}
	defer func() { _, _ = s.Shutdown(false) }()
	return lifecycle.Finish(s, p.RunRoot, id, code, started)
}
