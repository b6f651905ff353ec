package container

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// Descriptors a helper gets: the protocol's two (sync.go), then the
// caller's --preserve-fds ones, which the command receives as 3, 4, ...
const (
	firstPreservedFD = syncFD + 1
	envPreserveFDs   = "_BURROW_PRESERVE_FDS"
	envInUserns      = "_BURROW_IN_USERNS=1"
)

// preservedFDs is how many descriptors the parent passed on purpose.
func preservedFDs() int {
	n, err := strconv.Atoi(os.Getenv(envPreserveFDs))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// arrangeFDs moves the sync socket above the preserved descriptors and
// those down to 3, 4, ..., where the command expects them. It runs once
// the spec (fd 3) is read, before anything else can take a low number.
func arrangeFDs(sync *os.File, keep int) (*os.File, error) {
	if keep == 0 {
		return sync, nil
	}
	high, err := unix.FcntlInt(sync.Fd(), unix.F_DUPFD_CLOEXEC, firstPreservedFD+keep)
	if err != nil {
		return nil, fmt.Errorf("move the sync socket: %w", err)
	}
	sync.Close()
	for i := 0; i < keep; i++ {
		from, to := firstPreservedFD+i, 3+i
		if err := unix.Dup3(from, to, 0); err != nil {
			return nil, fmt.Errorf("pass descriptor %d on: %w", to, err)
		}
		if from >= 3+keep {
			unix.Close(from)
		}
	}
	return os.NewFile(uintptr(high), "sync"), nil
}

// preserveEnv tells a helper how many extra descriptors it was given.
func preserveEnv(n int) string { return envPreserveFDs + "=" + strconv.Itoa(n) }
