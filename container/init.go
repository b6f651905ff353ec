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
	code := errdefs.ExitBurrow
	switch {
	case errors.Is(err, errdefs.ErrCommandNotFound):
		code = errdefs.ExitNotFound
	case errors.Is(err, errdefs.ErrCannotExecute):
		code = errdefs.ExitCannotExec
	}
	_ = sendMsg(sync, syncMsg{Type: msgError, Code: code, Message: err.Error()}, nil)
	os.Exit(code)
}

func initContainer(sync *os.File) error {
	spec, err := readSpec(os.NewFile(specFD, "spec"))
	if err != nil {
		return err
	}
	if err := setupRootfs(spec); err != nil {
		return err
	}
	if spec.Hostname != "" {
		if err := unix.Sethostname([]byte(spec.Hostname)); err != nil {
			return fmt.Errorf("set hostname: %w", err)
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
	if wantsInit(spec) {
		return superviseProcess(spec.Process, sync)
	}
	return execProcess(spec.Process, sync)
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

// execProcess switches to the user, drops privileges and runs the command.
func execProcess(p *specs.Process, sync *os.File) error {
	if err := os.MkdirAll(p.Cwd, 0o755); err != nil {
		return fmt.Errorf("create working directory %s: %w", p.Cwd, err)
	}
	path, err := lookPath(p.Args[0], envPath(p.Env))
	if err != nil {
		return err
	}
	if err := limitBoundingSet(p.Capabilities); err != nil {
		return err
	}
	if err := switchUser(p.User); err != nil {
		return err
	}
	if err := os.Chdir(p.Cwd); err != nil {
		return fmt.Errorf("enter working directory %s: %w", p.Cwd, err)
	}
	if err := setCapabilities(p.Capabilities); err != nil {
		return err
	}
	// Credentials changed, which clears the parent-death signal; set it again
	// so the container still dies with a foreground burrow.
	_ = unix.Prctl(unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0)
	if p.NoNewPrivileges {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return fmt.Errorf("set no_new_privs: %w", err)
		}
	}
	unix.CloseOnExec(int(sync.Fd()))
	err = unix.Exec(path, p.Args, p.Env)
	if errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENOEXEC) {
		return fmt.Errorf("exec %s: %w", p.Args[0], errdefs.ErrCannotExecute)
	}
	return fmt.Errorf("exec %s: %w", p.Args[0], err)
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
	return "", fmt.Errorf("%q: %w in $PATH", name, errdefs.ErrCommandNotFound)
}

func checkExecutable(name, path string) error {
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR) {
		return fmt.Errorf("%q: %w", name, errdefs.ErrCommandNotFound)
	}
	if err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	if fi.IsDir() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("%q: %w", name, errdefs.ErrCannotExecute)
	}
	return nil
}
