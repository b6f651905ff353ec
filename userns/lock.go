package userns

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Every command that joins the holder holds holder.use shared for its
// whole life (the C constructor takes it before it reads the record).
// Retiring the holder takes it exclusive, so no command is half-way into
// a namespace that is going away: it finished in the old one, or it waits
// and joins the next. holder.gate is held shared only while a command
// takes holder.use and exclusive by the one retiring, so that commands
// arriving all the time cannot starve it.

// heldUse is the constructor's descriptor on holder.use, -1 when this
// process joined without it (a holder started by an older burrow).
var heldUse = -1

// HoldUseLock records the descriptor the C constructor holds (called
// from userns/nsenter, which cannot be imported here).
func HoldUseLock(fd int) { heldUse = fd }

// envUseLockFD hands holder.use over an exec of another burrow binary
// (burrow-build), which starts inside and so takes no lock of its own.
const envUseLockFD = "_BURROW_USE_LOCK_FD"

// PassUseLock keeps this process's holder.use across the exec that is
// about to replace it; AdoptUseLock takes it up on the other side.
func PassUseLock() {
	if heldUse < 0 {
		return
	}
	if _, err := unix.FcntlInt(uintptr(heldUse), unix.F_SETFD, 0); err == nil {
		_ = os.Setenv(envUseLockFD, strconv.Itoa(heldUse))
	}
}

// AdoptUseLock takes up a holder.use passed by PassUseLock, close-on-exec
// again so that it reaches no other process. Call it before inherit.Seal.
func AdoptUseLock() {
	v, ok := os.LookupEnv(envUseLockFD)
	if !ok {
		return
	}
	_ = os.Unsetenv(envUseLockFD)
	if fd, err := strconv.Atoi(v); err == nil && fd > 2 {
		unix.CloseOnExec(fd)
		heldUse = fd
	}
}

func lockFile(runDir, name string, how int) (func(), error) {
	f, err := os.OpenFile(filepath.Join(runDir, name), os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", name, err)
	}
	if err := flockRetry(int(f.Fd()), how); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	return func() { f.Close() }, nil
}

func flockRetry(fd, how int) error {
	for {
		err := unix.Flock(fd, how)
		if !errors.Is(err, unix.EINTR) {
			return err
		}
	}
}

// Exclusive waits until this is the only command in the holder's
// namespace and keeps new ones from joining until release is called (or
// the process exits). It fails after timeout, naming the burrow commands
// that still run there.
func Exclusive(runDir string, timeout time.Duration) (release func(), err error) {
	ungate, err := lockFile(runDir, gateLock, unix.LOCK_EX)
	if err != nil {
		return nil, err
	}
	use := heldUse
	if use < 0 {
		// A raw descriptor: an os.File would close it when collected.
		fd, err := unix.Open(filepath.Join(runDir, useLock), unix.O_CREAT|unix.O_RDONLY|unix.O_CLOEXEC, 0o600)
		if err != nil {
			ungate()
			return nil, fmt.Errorf("open %s: %w", useLock, err)
		}
		use, heldUse = fd, fd
	}
	deadline := time.Now().Add(timeout)
	for {
		// Converting our shared lock drops it when it fails: harmless,
		// since the gate keeps newcomers out and we retry.
		err := unix.Flock(use, unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return func() {
				_ = unix.Flock(use, unix.LOCK_UN)
				ungate()
			}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			ungate()
			return nil, fmt.Errorf("lock %s: %w", useLock, err)
		}
		if time.Now().After(deadline) {
			ungate()
			_ = flockRetry(use, unix.LOCK_SH)
			return nil, fmt.Errorf("burrow commands still run in the user namespace after %s: %s; end them and try again", timeout, strings.Join(users(filepath.Join(runDir, useLock)), ", "))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// users names the processes other than this one that hold a lock on path,
// from /proc/locks.
func users(path string) []string {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nil
	}
	data, err := os.ReadFile("/proc/locks")
	if err != nil {
		return nil
	}
	var out []string
	for _, pid := range lockHolders(string(data), st.Ino, os.Getpid()) {
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		name := strings.TrimSpace(strings.ReplaceAll(string(cmd), "\x00", " "))
		out = append(out, fmt.Sprintf("pid %d (%s)", pid, name))
	}
	if len(out) == 0 {
		return []string{"none found in /proc/locks"}
	}
	return out
}

// lockHolders reads /proc/locks for the flock holders of inode ino, other
// than self. Lines look like "1: FLOCK  ADVISORY  READ  1234 fd:01:5678 0
// EOF"; a lock waiting behind another has "->" before its fields.
func lockHolders(locks string, ino uint64, self int) []int {
	want := ":" + strconv.FormatUint(ino, 10)
	var pids []int
	for _, line := range strings.Split(locks, "\n") {
		f := strings.Fields(strings.Replace(line, "->", "", 1))
		if len(f) < 6 || f[1] != "FLOCK" || !strings.HasSuffix(f[5], want) {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil && pid != self && !slices.Contains(pids, pid) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// Retire ends the holder this process joined and forgets it, so that the
// next command starts a new one that reads /etc/subuid and /etc/subgid
// again. Call it under Exclusive, from inside, with no container running:
// their processes would stay in a namespace no later command can enter.
func Retire(runDir string) error {
	unlock, err := lockFile(runDir, startLock, unix.LOCK_EX)
	if err != nil {
		return err
	}
	defer unlock()
	pid, ok := RecordedHolder(runDir)
	if !ok {
		return RemoveRecord(runDir)
	}
	pidfd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return fmt.Errorf("open holder %d: %w", pid, err)
	}
	defer unix.Close(pidfd)
	// The record goes first: a command that reads it from now on starts a
	// new holder instead of joining one that is dying.
	if err := RemoveRecord(runDir); err != nil {
		return fmt.Errorf("forget holder %d: %w", pid, err)
	}
	if err := unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0); err != nil {
		return fmt.Errorf("kill holder %d: %w", pid, err)
	}
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(fds, 5000)
		if err == nil {
			break
		}
		if !errors.Is(err, unix.EINTR) {
			return fmt.Errorf("wait for holder %d: %w", pid, err)
		}
	}
	if fds[0].Revents&unix.POLLIN == 0 {
		return fmt.Errorf("holder %d did not exit within 5s of SIGKILL", pid)
	}
	return nil
}
