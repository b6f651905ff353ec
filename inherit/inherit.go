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

// Files returns the descriptors --preserve-fds n (3 .. 3+n-1) and
// --preserve-fd list name, indexed from 3: the command gets each at its
// own number. A number below the highest that is not passed holds
// /dev/null, so that nothing else takes it on the way.
func Files(n int, list []int) ([]*os.File, error) {
	want := slices.Clone(list)
	for fd := 3; fd < 3+n; fd++ {
		want = append(want, fd)
	}
	if len(want) == 0 {
		return nil, nil
	}
	files := make([]*os.File, slices.Max(want)-2)
	for _, fd := range want {
		switch {
		case fd < 3:
			return nil, fmt.Errorf("--preserve-fd %d: 0, 1 and 2 are the command's stdio, always passed", fd)
		case !slices.Contains(inherited, fd):
			return nil, fmt.Errorf("--preserve-fd(s): descriptor %d is not open", fd)
		}
		files[fd-3] = os.NewFile(uintptr(fd), "preserved-"+strconv.Itoa(fd))
	}
	for i, f := range files {
		if f == nil {
			null, err := os.Open(os.DevNull)
			if err != nil {
				return nil, err
			}
			files[i] = null
		}
	}
	return files, nil
}
