// Package inherit keeps the descriptors a burrow command inherited from its
// caller (a shell's `exec 7</`, a CI runner's pipes) from reaching the
// processes it starts: containers, monitors, the holder, network helpers.
// Go opens all of its own descriptors close-on-exec, but inherited ones are
// not, and os/exec passes every such descriptor to every child. Only
// --preserve-fds hands them on, on purpose. Not for helpers that run
// inside a container: those close what they inherited themselves
// (container.dropInherited).
package inherit

import (
	"fmt"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

var inherited []int

// Seal marks every descriptor from 3 up close-on-exec and remembers which
// were open. Call it first thing in main.
func Seal() {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd < 3 {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			inherited = append(inherited, fd)
			unix.CloseOnExec(fd)
		}
	}
}

// Unseal gives the inherited descriptors back before burrow re-executes
// itself as the same command (joining the user namespace), which must
// see what its caller gave.
func Unseal() {
	for _, fd := range inherited {
		_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
	}
}

// Files returns descriptors 3 .. 3+n-1 for --preserve-fds.
func Files(n int) ([]*os.File, error) {
	var files []*os.File
	for fd := 3; fd < 3+n; fd++ {
		if !slices.Contains(inherited, fd) {
			return nil, fmt.Errorf("--preserve-fds %d: descriptor %d is not open", n, fd)
		}
		files = append(files, os.NewFile(uintptr(fd), "preserved-"+strconv.Itoa(fd)))
	}
	return files, nil
}
