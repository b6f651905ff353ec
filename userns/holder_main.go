package userns

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// RunHolder is the holder process's whole life. It is started unmapped, so
// its capabilities were dropped by execve; once the parent has written the
// mapping (fd 3 closes) it re-executes itself as mapped root to regain them,
// makes the namespace's mounts follow the host's, reports ready on fd 4 and
// then idles until killed.
func RunHolder(mapped bool) error {
	if !mapped {
		buf := make([]byte, 1)
		_, _ = os.NewFile(3, "mapped").Read(buf)
		self, err := os.Executable()
		if err != nil {
			return err
		}
		return syscall.Exec(self, []string{os.Args[0], HolderVerb, "mapped"}, os.Environ())
	}
	// Slave, not private: host mounts made later (a new disk, a bind the
	// user wants to pass with -v) still appear in the namespace.
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
		return fmt.Errorf("make mounts rslave: %w", err)
	}
	devnull, err := os.OpenFile("/dev/null", os.O_RDWR, 0)
	if err == nil {
		for fd := 0; fd <= 2; fd++ {
			_ = unix.Dup2(int(devnull.Fd()), fd)
		}
	}
	ready := os.NewFile(4, "ready")
	if _, err := ready.Write([]byte{1}); err != nil {
		return fmt.Errorf("report ready: %w", err)
	}
	ready.Close()
	signal.Ignore(syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGPIPE)
	for {
		_ = unix.Pause()
	}
}
