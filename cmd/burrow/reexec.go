package main

import (
	"os"
	"strconv"
	"strings"

	"go.podman.io/storage/pkg/reexec"
	"golang.org/x/sys/unix"
)

// envHelperParent names the burrow process whose containers/storage
// helpers (storage-untar and the like, re-executions of this binary) must
// not outlive it.
const envHelperParent = "_BURROW_HELPER_PARENT"

// storageHelper runs this process as a containers/storage helper when it
// is one. Since containers/storage v1.60 its re-exec sets no parent-death
// signal, so an extractor whose burrow was SIGKILLed kept writing into a
// layer that the next command deletes: gigabytes for a sparse file. The
// helper asks for SIGKILL itself, and exits at once when its parent is
// already gone (the signal is only sent for deaths after the prctl).
func storageHelper() bool {
	if !strings.HasPrefix(os.Args[0], "storage-") {
		_ = os.Setenv(envHelperParent, strconv.Itoa(os.Getpid()))
		return reexec.Init() // false here; it records that helpers may be started
	}
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		os.Exit(1)
	}
	if want, err := strconv.Atoi(os.Getenv(envHelperParent)); err == nil && os.Getppid() != want {
		os.Exit(1)
	}
	return reexec.Init()
}
