package container

import (
	"encoding/base64"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// SeccompAnnotation holds the container's seccomp filter, compiled when the
// container is created (package seccomp) as base64 of the raw BPF program,
// so the init installs it without a compiler of its own. Absent means
// unconfined.
const SeccompAnnotation = "burrow.seccomp.bpf"

// seccompOf decodes the filter of a spec's annotations.
func seccompOf(annotations map[string]string) ([]byte, error) {
	enc, ok := annotations[SeccompAnnotation]
	if !ok || enc == "" {
		return nil, nil
	}
	prog, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(prog)%8 != 0 || len(prog) == 0 {
		return nil, fmt.Errorf("seccomp filter in the container's spec is damaged (recreate the container)")
	}
	return prog, nil
}

// installSeccomp loads a BPF program (struct sock_filter, 8 bytes each)
// on the calling thread.
func installSeccomp(prog []byte) error {
	if prog == nil {
		return nil
	}
	fprog := unix.SockFprog{Len: uint16(len(prog) / 8), Filter: (*unix.SockFilter)(unsafe.Pointer(&prog[0]))}
	_, _, errno := unix.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return fmt.Errorf("install seccomp filter: %w", errno)
	}
	return nil
}
