// Command probe asks the kernel, from inside a container, what the
// boundary lets through; the test image's busybox has no tool for these.
// It prints the errno name of the attempt, or "ok". Built statically
// (CGO_ENABLED=0) by `make e2e`.
//
//	probe key DESC        search the session keyring for a user key DESC
//	probe tiocsti         push a character into stdin's terminal (TIOCSTI)
//	probe syscalls        try calls docker's seccomp profile refuses
//	probe writeexe PID    open /proc/PID/exe for writing (O_TRUNC)
package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: probe key DESC | tiocsti | syscalls | writeexe PID")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "key":
		_, err := unix.KeyctlSearch(unix.KEY_SPEC_SESSION_KEYRING, "user", os.Args[2], 0)
		fmt.Println(name(err))
	case "tiocsti":
		c := byte('x')
		_, _, errno := unix.Syscall(unix.SYS_IOCTL, 0, unix.TIOCSTI, uintptr(unsafe.Pointer(&c)))
		fmt.Println(name(errnoErr(errno)))
	case "syscalls":
		syscalls()
	case "writeexe":
		fd, err := unix.Open("/proc/"+os.Args[2]+"/exe", unix.O_WRONLY|unix.O_TRUNC, 0)
		if err == nil {
			unix.Close(fd)
		}
		fmt.Println(name(err))
	default:
		os.Exit(2)
	}
}

// syscalls prints NAME=RESULT for calls docker's profile refuses to a
// container without CAP_SYS_ADMIN.
func syscalls() {
	var out []string
	_, _, e := unix.RawSyscall(unix.SYS_UNSHARE, unix.CLONE_NEWUSER, 0, 0)
	out = append(out, "unshare="+name(errnoErr(e)))
	_, _, e = unix.RawSyscall(unix.SYS_KEYCTL, unix.KEYCTL_GET_KEYRING_ID, uintptr(0xfffffffd), 0)
	out = append(out, "keyctl="+name(errnoErr(e)))
	_, _, e = unix.RawSyscall(unix.SYS_PERSONALITY, 0x0040000, 0, 0) // ADDR_NO_RANDOMIZE
	out = append(out, "personality="+name(errnoErr(e)))
	var params [120]byte
	r, _, e := unix.RawSyscall(unix.SYS_IO_URING_SETUP, 1, uintptr(unsafe.Pointer(&params[0])), 0)
	if e == 0 {
		unix.Close(int(r))
	}
	out = append(out, "io_uring_setup="+name(errnoErr(e)))
	fmt.Println(strings.Join(out, " "))
}

func errnoErr(e unix.Errno) error {
	if e == 0 {
		return nil
	}
	return e
}

func name(err error) string {
	var errno unix.Errno
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &errno):
		return unix.ErrnoName(errno)
	}
	return err.Error()
}
