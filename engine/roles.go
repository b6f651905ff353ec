package engine

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/burrow/burrow/bridge"
	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/container/nsjoin"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/inherit"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/monitor"
	"github.com/burrow/burrow/network/backends"
	"github.com/burrow/burrow/store"
	"github.com/burrow/burrow/userns"

	// The C constructor that joins the holder's namespaces before the Go
	// runtime starts threads.
	_ "github.com/burrow/burrow/userns/nsenter"
	"go.podman.io/storage/pkg/reexec"
	"golang.org/x/sys/unix"
)

// Role runs this process as one of burrow's own roles when args name one
// (a container's init, the exec helper, the reaper, a monitor, the
// holder, a storage helper of containers/storage) and returns its exit
// code with ok. Otherwise it seals the descriptors burrow inherited and
// returns !ok: the process is a front end.
func Role(args []string) (code int, ok bool) {
	if len(args) > 1 {
		switch args[1] {
		case container.ReapVerb:
			return container.Reap(), true
		case container.InitVerb:
			container.Init(nsjoin.Err())
			return 0, true
		case container.ExecVerb:
			container.ExecInit(nsjoin.Err())
			return 0, true
		case monitor.Verb:
			return monitor.Main(backends.For), true
		case monitor.ExecVerb:
			return monitor.ExecMain(), true
		case bridge.Verb:
			return bridge.Main(args[2:]), true
		case lifecycle.FinishVerb:
			return finishMain(args[2:]), true
		case userns.HolderVerb:
			err := userns.RunHolder(len(args) > 2 && args[2] == "mapped")
			fmt.Fprintf(os.Stderr, "Error: namespace holder: %v\n", err)
			return errdefs.ExitBurrow, true
		}
	}
	if storageHelper() {
		return 0, true
	}
	inherit.Seal()
	return 0, false
}

// finishMain is `burrow __finish ID CODE STARTED`, which a monitor runs
// when its container is done for good: it records the exit in the store.
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
	p, err := Enter(nil)
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

// HandOver re-executes this command as the binary at path (burrow-build,
// burrow with one more verb) with all its caller gave it: arguments,
// environment and inherited descriptors, such as the socket systemd passes
// to `system service`, which Seal marked close-on-exec.
func HandOver(path string) error {
	inherit.Unseal()
	userns.PassUseLock() // system migrate waits for the build or service as for us
	return syscall.Exec(path, append([]string{path}, os.Args[1:]...), os.Environ())
}
