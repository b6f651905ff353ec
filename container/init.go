package container

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// Init is the container's PID 1 before it execs the command. It never
// returns on success; on failure it reports to the parent and exits.
// joinErr is container/nsjoin's report of joining an existing network
// namespace before the Go runtime started.
func Init(joinErr string) {
	sync := os.NewFile(syncFD, "sync")
	err := errors.New(joinErr)
	if joinErr == "" {
		err = initContainer(sync)
	}
	code := errdefs.ExitCode(err)
	_ = sendMsg(sync, syncMsg{Type: msgError, Code: code, Message: err.Error()}, nil)
	os.Exit(code)
}

func initContainer(sync *os.File) error {
	// Set here too for an init that joined a PID namespace (see
	// initCommand); before anything else, on main's locked thread.
	if err := unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0); err != nil {
		return fmt.Errorf("set parent-death signal: %w", err)
	}
	keep := preservedFDs()
	if err := dropInherited(firstPreservedFD + keep); err != nil {
		return err
	}
	spec, err := readSpec(os.NewFile(specFD, "spec"))
	if err != nil {
		return err
	}
	if sync, err = arrangeFDs(sync, keep); err != nil {
		return err
	}
	if !spec.Process.Terminal {
		// No controlling terminal: the caller's must never be the container's.
		if _, err := unix.Setsid(); err != nil {
			return fmt.Errorf("setsid: %w", err)
		}
	}
	l, err := launchFor(spec.Process, spec.Annotations, keep)
	if err != nil {
		return err
	}
	if wantsInit(spec) {
		// The reaper is this binary again, reached through a descriptor
		// opened while the host's file system is still in view.
		if l.via, err = unix.Open("/proc/self/exe", unix.O_PATH|unix.O_CLOEXEC, 0); err != nil {
			return fmt.Errorf("open the init binary: %w", err)
		}
	}
	if err := setupRootfs(spec); err != nil {
		return err
	}
	if spec.Hostname != "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return fmt.Errorf("set hostname: %w", err)
		}
	}
	if spec.Domainname != "" {
		if err := unix.Setdomainname([]byte(spec.Domainname)); err != nil {
			return fmt.Errorf("set domain name: %w", err)
		}
	}
	if hasNamespace(spec, specs.NetworkNamespace) {
		if err := loopbackUp(); err != nil {
			return err
		}
	}
	var pty *os.File
	if spec.Process.Terminal {
		if pty, err = openTerminal(spec.Root.Path, sync); err != nil {
			return err
		}
	}
	if err := enterRootfs(spec); err != nil {
		return err
	}
	if pty != nil {
		if err := becomeTerminalOwner(pty); err != nil {
			return err
		}
	}
	if err := awaitGo(sync); err != nil {
		return err
	}
	return l.start(sync, true)
}

// awaitGo waits for the parent's word that the command may start (its
// network is configured); EOF means the parent gave up or died.
func awaitGo(sync *os.File) error {
	m, _, ok, err := recvMsg(sync)
	if err != nil {
		return fmt.Errorf("wait for the parent: %w", err)
	}
	if !ok || m.Type != msgGo {
		return errors.New("the parent did not let the command start")
	}
	return nil
}

func readSpec(f *os.File) (*specs.Spec, error) {
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return nil, fmt.Errorf("parse spec: %w", err)
	}
	if spec.Process == nil || spec.Root == nil || len(spec.Process.Args) == 0 {
		return nil, errors.New("spec lacks process or root")
	}
	return &spec, nil
}

func hasNamespace(spec *specs.Spec, t specs.LinuxNamespaceType) bool {
	if spec.Linux == nil {
		return false
	}
	for _, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			return true
		}
	}
	return false
}

func envPath(env []string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			return v
		}
	}
	return ""
}

// lookPath finds the command in the container's PATH, telling "not there"
// (127) from "there but not runnable" (126).
func lookPath(name, path string) (string, error) {
	if strings.Contains(name, "/") {
		return name, checkExecutable(name, name)
	}
	var denied error
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		candidate := filepath.Join(dir, name)
		err := checkExecutable(name, candidate)
		if err == nil {
			return candidate, nil
		}
		if errors.Is(err, errdefs.ErrCannotExecute) && denied == nil {
			denied = err
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", fmt.Errorf("%q: %w", name, errdefs.Reason("executable file not found in $PATH", errdefs.ErrCommandNotFound))
}

// checkExecutable refuses a path through a /proc magic link
// (/proc/self/fd/N/...), which could lead to a host file that a
// descriptor of the init's points into.
func checkExecutable(name, path string) error {
	fd, err := unix.Openat2(unix.AT_FDCWD, path, &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_NO_MAGICLINKS})
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return fmt.Errorf("%q: %w", name, errdefs.Reason("no such file or directory", errdefs.ErrCommandNotFound))
	}
	if err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	if st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return fmt.Errorf("%q: %w", name, errdefs.Reason("is a directory", errdefs.ErrCannotExecute))
	}
	if st.Mode&0o111 == 0 {
		return fmt.Errorf("%q: %w", name, errdefs.ErrCannotExecute)
	}
	return nil
}
