package container

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
	"unsafe"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux"
	"golang.org/x/sys/unix"
)

// launch is the last stretch before a container's command (or the --init
// reaper) replaces this process. Credentials, capability sets, the
// bounding set, no_new_privs, seccomp, the session keyring and the
// parent-death signal all belong to one thread in Linux, and execve keeps
// only the calling thread: so every step below and the exec run on the
// thread that main locked in its init (see cmd/burrow-init), never on a
// thread the Go scheduler happens to pick.
type launch struct {
	proc    *specs.Process
	seccomp []byte // BPF program; nil runs unconfined
	// keepGroups leaves the supplementary groups as inherited from the
	// user on the host (--group-add keep-groups).
	keepGroups bool
	keep       int // descriptors 3..3+keep-1 are passed on (--preserve-fds)
	via        int // >= 0: exec this descriptor (the --init reaper) instead of a path
	sync       int // the sync socket; the reaper keeps it
}

// start resolves the command and the working directory inside the
// container and runs it, or the reaper that supervises it (--init).
func (l *launch) start(sync *os.File, createWorkdir bool) error {
	p := l.proc
	cwd, err := openWorkdir(p.Cwd, createWorkdir)
	if err != nil {
		return err
	}
	path, err := lookPath(p.Args[0], envPath(p.Env))
	if err != nil {
		unix.Close(cwd)
		return err
	}
	// EOF on the sync socket tells the parent the command runs: at this
	// exec, or, under --init, once the reaper has started the command
	// (so a signal sent meanwhile is the reaper's to pass on).
	l.sync = int(sync.Fd())
	if l.via >= 0 {
		argv := append([]string{"burrow-init", ReapVerb, strconv.FormatBool(p.Terminal), strconv.Itoa(l.sync), path}, p.Args...)
		return l.run("", argv, append(slices.Clip(p.Env), envInUserns), cwd)
	}
	return l.run(path, p.Args, p.Env, cwd)
}

// run drops privileges and execs path with argv and env. It returns only
// on failure. The working directory (cwdFD, opened by openWorkdir) is
// entered after the user switch, so its permissions apply to that user.
func (l *launch) run(path string, argv, env []string, cwdFD int) error {
	if err := newSessionKeyring(); err != nil {
		return err
	}
	if l.proc.SelinuxLabel != "" {
		// The label of the exec below; per thread, like the rest.
		if err := selinux.SetExecLabel(l.proc.SelinuxLabel); err != nil {
			return fmt.Errorf("set SELinux label %s: %w", l.proc.SelinuxLabel, err)
		}
	}
	if err := limitBoundingSet(l.proc.Capabilities); err != nil {
		return err
	}
	// Without no_new_privs only CAP_SYS_ADMIN may install a filter, and a
	// non-root user loses it at the switch: install it first then.
	if !l.proc.NoNewPrivileges {
		if err := installSeccomp(l.seccomp); err != nil {
			return err
		}
	}
	if err := setRlimits(l.proc.Rlimits); err != nil {
		return err
	}
	if err := setOOMScoreAdj(l.proc.OOMScoreAdj); err != nil {
		return err
	}
	if err := keepCapsAcrossSwitch(l.proc.Capabilities, l.proc.User.UID); err != nil {
		return err
	}
	if err := switchUser(l.proc.User, l.keepGroups); err != nil {
		return err
	}
	if err := enterWorkdir(cwdFD, l.proc.Cwd); err != nil {
		return err
	}
	if err := setCapabilities(l.proc.Capabilities); err != nil {
		return err
	}
	// The user switch cleared the parent-death signal; the command must
	// still die with its parent (a foreground burrow, a monitor).
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("set parent-death signal: %w", err)
	}
	if l.proc.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
		if err := installSeccomp(l.seccomp); err != nil {
			return err
		}
	}
	// The mask is the process's (threads share it): this process is
	// about to become the command, nothing else runs here.
	if u := l.proc.User.Umask; u != nil {
		unix.Umask(int(*u))
	}
	if err := closeFrom(3 + l.keep); err != nil {
		return err
	}
	if l.via >= 0 {
		if _, err := unix.FcntlInt(uintptr(l.sync), unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("pass the sync socket to the reaper: %w", err)
		}
	}
	err := l.exec(path, argv, env)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENOEXEC) {
		return fmt.Errorf("exec %s: %w", argv[0], errdefs.ErrCannotExecute)
	}
	return fmt.Errorf("exec %s: %w", argv[0], err)
}

func (l *launch) exec(path string, argv, env []string) error {
	if l.via < 0 {
		return unix.Exec(path, argv, env)
	}
	argvp, err := syscall.SlicePtrFromStrings(argv)
	if err != nil {
		return err
	}
	envp, err := syscall.SlicePtrFromStrings(env)
	if err != nil {
		return err
	}
	empty := [1]byte{}
	_, _, errno := unix.RawSyscall6(unix.SYS_EXECVEAT, uintptr(l.via), uintptr(unsafe.Pointer(&empty[0])),
		uintptr(unsafe.Pointer(&argvp[0])), uintptr(unsafe.Pointer(&envp[0])), unix.AT_EMPTY_PATH, 0)
	return errno
}

// newSessionKeyring gives the container an anonymous session keyring of
// its own, so keys of the user's login session are out of its reach.
func newSessionKeyring() error {
	_, _, errno := unix.RawSyscall(unix.SYS_KEYCTL, unix.KEYCTL_JOIN_SESSION_KEYRING, 0, 0)
	if errno != 0 && errno != unix.ENOSYS {
		return fmt.Errorf("create a session keyring: %w", errno)
	}
	return nil
}

// closeFrom marks every descriptor from lowest up close-on-exec, so the
// command gets 0-2, the preserved ones and nothing else. close_range
// (5.11) is older than the mount API burrow already needs (5.12).
func closeFrom(lowest int) error {
	if err := unix.CloseRange(uint(lowest), ^uint(0), unix.CLOSE_RANGE_CLOEXEC); err != nil {
		return fmt.Errorf("close inherited descriptors: %w", err)
	}
	return nil
}

// launchFor is the last stretch of p with the spec's seccomp filter.
func launchFor(p *specs.Process, annotations map[string]string, keep int) (*launch, error) {
	prog, err := seccompOf(annotations)
	if err != nil {
		return nil, err
	}
	return &launch{proc: p, seccomp: prog, keep: keep, via: -1, keepGroups: annotations[KeepGroupsAnnotation] == "true"}, nil
}

// dropInherited closes every descriptor from lowest up that was inherited
// across exec (the only ones without close-on-exec: the Go runtime opens
// all of its own with it). It runs first thing in a helper, so a
// descriptor the caller leaked can neither reach the container nor serve
// as a way out (`-w /proc/self/fd/N`) while the helper works.
func dropInherited(lowest int) error {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list inherited descriptors: %w", err)
	}
	for _, e := range entries {
		var fd int
		if _, err := fmt.Sscan(e.Name(), &fd); err != nil || fd < lowest {
			continue
		}
		if flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err == nil && flags&unix.FD_CLOEXEC == 0 {
			unix.Close(fd)
		}
	}
	return nil
}
