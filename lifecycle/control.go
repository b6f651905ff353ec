package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow/burrow/cgroupv2"

	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/ocispec"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// Container is a container's record and run-time status, as the verbs show it.
type Container struct {
	ID      string
	Record  Record
	Running bool
	Pid     int
	// Owned: a live burrow process (its monitor, or a foreground run) owns
	// it, running or between restarts.
	Owned bool
	// OwnerPid is that process's PID (podman's conmon PID).
	OwnerPid int
	// Paused: running, with its cgroup frozen (burrow pause).
	Paused bool
	// Health is the healthcheck's status of a running container that has one.
	Health *health.State
}

// Status is docker's words for the state: created, running, paused,
// restarting or exited, and podman's stopping for a container whose
// command ended while its owner (monitor or foreground run) still records
// the end: without a restart policy it will not run again.
func (c Container) Status() string {
	switch {
	case c.Paused:
		return "paused"
	case c.Running:
		return "running"
	case c.Owned && (c.Record.RestartPolicy == "" || c.Record.RestartPolicy == "no"):
		return "stopping"
	case c.Owned:
		return "restarting"
	case c.Record.Finished.IsZero():
		return "created"
	default:
		return "exited"
	}
}

// Find resolves a name, a full ID or a unique ID prefix.
func Find(s storage.Store, runRoot, ref string) (Container, error) {
	ctrs, err := s.Containers()
	if err != nil {
		return Container{}, fmt.Errorf("list containers: %w", err)
	}
	// Matched on the records alone: only the match has its run-time
	// state read (a command per container stays linear).
	var match *storage.Container
	ambiguous := false
	for i := range ctrs {
		ctr := &ctrs[i]
		if ctr.ID == ref || recordName(ctr) == ref {
			return fromStore(s, runRoot, ctr), nil
		}
		if len(ref) >= 3 && strings.HasPrefix(ctr.ID, ref) {
			ambiguous = match != nil
			match = ctr
		}
	}
	switch {
	case ambiguous:
		return Container{}, fmt.Errorf("container ID prefix %s is ambiguous: %w", ref, errdefs.ErrInvalidArgument)
	case match == nil:
		return Container{}, fmt.Errorf("%s: %w", ref, errdefs.ErrContainerUnknown)
	}
	return fromStore(s, runRoot, match), nil
}

// recordName is a container's name as its record has it (else the store's).
func recordName(ctr *storage.Container) string {
	var r struct {
		Name string `json:"name"`
	}
	_ = json.Unmarshal([]byte(ctr.Metadata), &r)
	if r.Name == "" && len(ctr.Names) > 0 {
		return ctr.Names[0]
	}
	return r.Name
}

// List returns every container, newest first.
func List(s storage.Store, runRoot string) ([]Container, error) {
	ctrs, err := s.Containers()
	if err != nil {
		return nil, fmt.Errorf("list containers: %w", err)
	}
	out := make([]Container, 0, len(ctrs))
	for i := range ctrs {
		out = append(out, fromStore(s, runRoot, &ctrs[i]))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Record.Created.After(out[j].Record.Created) })
	return out, nil
}

// fromStore is a stored container with its run-time state.
func fromStore(s storage.Store, runRoot string, ctr *storage.Container) Container {
	c := Container{ID: ctr.ID, Record: DecodeRecord(ctr.Metadata)}
	if c.Record.Name == "" && len(ctr.Names) > 0 {
		c.Record.Name = ctr.Names[0]
	}
	st, ok := ctrstate.Read(runRoot, ctr.ID)
	if !ok || !st.OwnerAlive() {
		return c
	}
	c.Owned, c.OwnerPid = true, st.OwnerPID
	c.Record.Started, c.Record.RestartCount = st.Started, st.RestartCount
	if !st.Running() {
		return c
	}
	c.Running, c.Pid = true, st.Pid
	// The cgroup says whether it is frozen, however that came about.
	if dir := cgroupOf(s, ctr.ID); dir != "" {
		c.Paused = cgroupv2.Frozen(dir)
	}
	if c.Record.Health != nil {
		// Between the start and the monitor's first status write, it is
		// starting too (compose asks at once).
		h, ok := health.Read(runRoot, ctr.ID)
		if !ok {
			h = health.State{Status: health.Starting, Log: []health.Result{}}
		}
		c.Health = &h
	}
	return c
}

// Kill sends sig to a running container's PID 1.
func Kill(runRoot string, c Container, sig syscall.Signal) error {
	if !c.Running {
		return fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	if sig == unix.SIGKILL || sig == unix.SIGTERM {
		_ = ctrstate.MarkStopped(runRoot, c.ID)
	}
	if err := unix.Kill(c.Pid, sig); err != nil {
		return fmt.Errorf("signal container %s: %w", c.Record.Name, err)
	}
	return nil
}

// DefaultStopTimeout is how long stop waits after the stop signal when
// neither stop -t nor run --stop-timeout says.
const DefaultStopTimeout = 10 * time.Second

// StopTimeout is the container's --stop-timeout, else DefaultStopTimeout.
func (r Record) stopTimeout() time.Duration {
	if r.StopTimeout != nil {
		return time.Duration(*r.StopTimeout) * time.Second
	}
	return DefaultStopTimeout
}

// Stop sends the stop signal (--stop-signal, the image's STOPSIGNAL, else
// SIGTERM), waits up to timeout (a negative one: the container's
// --stop-timeout), then kills; it returns once the monitor has recorded
// the exit.
func Stop(s storage.Store, runRoot string, c Container, timeout time.Duration) error {
	return StopWarn(s, runRoot, c, timeout, nil)
}

// StopWarn is Stop that tells warn, once, when the stop signal was not
// enough and SIGKILL followed.
func StopWarn(s storage.Store, runRoot string, c Container, timeout time.Duration, warn func(string)) error {
	if !c.Owned {
		return nil
	}
	if timeout < 0 {
		timeout = c.Record.stopTimeout()
	}
	if err := ctrstate.MarkStopped(runRoot, c.ID); err != nil {
		return err
	}
	sig := syscall.SIGTERM
	if c.Record.StopSignal != "" {
		if parsed, err := ParseSignal(c.Record.StopSignal); err == nil {
			sig = parsed
		}
	}
	if c.Running {
		if err := unix.Kill(c.Pid, sig); err != nil && !errors.Is(err, unix.ESRCH) {
			return fmt.Errorf("stop %s: %w", c.Record.Name, err)
		}
	}
	if waitStopped(runRoot, c.ID, timeout) {
		return nil
	}
	if c, err := Find(s, runRoot, c.ID); err == nil && c.Running {
		if warn != nil && timeout > 0 { // -t 0 asks for SIGKILL at once
			warn(fmt.Sprintf("%s did not stop container %s within %v: sent SIGKILL", unix.SignalName(sig), c.Record.Name, timeout))
		}
		_ = unix.Kill(c.Pid, unix.SIGKILL)
	}
	if !waitStopped(runRoot, c.ID, 30*time.Second) {
		return fmt.Errorf("container %s did not stop after SIGKILL", c.Record.Name)
	}
	return nil
}

// killUntilStopped kills c's PID 1 until its owner has finished with it.
// A container listed while its owner was still starting it has no PID 1
// yet, or a start may clear the stop marker just after it was set: so the
// marker is set again and the PID looked up again while waiting.
func killUntilStopped(s storage.Store, runRoot string, c Container, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		_ = ctrstate.MarkStopped(runRoot, c.ID)
		if c.Running {
			_ = unix.Kill(c.Pid, unix.SIGKILL)
		}
		if waitStopped(runRoot, c.ID, 100*time.Millisecond) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		now, err := Find(s, runRoot, c.ID)
		if err != nil {
			return true
		}
		c = now
	}
}

// waitStopped waits until the container's owner has finished with it: its
// state file is gone, or the owner died (the next command reaps).
func waitStopped(runRoot, id string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for {
		st, ok := ctrstate.Read(runRoot, id)
		if !ok || !st.OwnerAlive() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Wait blocks until the container is no longer running and returns its
// exit code.
func Wait(s storage.Store, runRoot string, c Container) (int, error) {
	waitStopped(runRoot, c.ID, 100*365*24*time.Hour)
	if err := Reap(s, runRoot); err != nil {
		return 0, err
	}
	ctr, err := s.Container(c.ID)
	if err != nil {
		if c.Record.AutoRemove {
			// --rm: the record went with the container, its code stayed.
			code, _ := readExit(runRoot, c.ID)
			return code, nil
		}
		return 0, fmt.Errorf("container %s: %w", c.Record.Name, err)
	}
	return DecodeRecord(ctr.Metadata).ExitCode, nil
}

// Remove deletes a container that is not running; force stops it first.
func Remove(s storage.Store, runRoot string, c Container, force bool) error {
	if c.Owned {
		if !force {
			return fmt.Errorf("container %s is %s: stop it first or use rm -f: %w", c.Record.Name, c.Status(), errdefs.ErrInUse)
		}
		if c.Record.StopTimeout != nil {
			// --stop-timeout asked for a graceful stop; without it rm -f
			// kills at once, as docker does.
			if err := Stop(s, runRoot, c, -1); err != nil {
				return err
			}
		}
		if !killUntilStopped(s, runRoot, c, 30*time.Second) {
			return fmt.Errorf("container %s did not stop", c.Record.Name)
		}
	}
	if users := namespaceUsers(s, runRoot, c); len(users) > 0 && !force {
		return fmt.Errorf("container %s: %s shares its namespaces: remove it first or use rm -f: %w", c.Record.Name, strings.Join(users, ", "), errdefs.ErrInvalidArgument)
	}
	if err := release(s, c.ID, true); err != nil {
		return fmt.Errorf("remove %s: %w", c.Record.Name, err)
	}
	return ctrstate.Remove(runRoot, c.ID)
}

// ParseSignal accepts TERM, SIGTERM or 15.
func ParseSignal(name string) (syscall.Signal, error) {
	n := strings.ToUpper(strings.TrimPrefix(strings.ToUpper(name), "SIG"))
	if sig := unix.SignalNum("SIG" + n); sig != 0 {
		return sig, nil
	}
	// The whole name must be the number: Sscanf would take "9x" as 9.
	if num, err := strconv.Atoi(name); err == nil && num > 0 && num < 65 {
		return syscall.Signal(num), nil
	}
	return 0, fmt.Errorf("unknown signal %q: %w", name, errdefs.ErrInvalidArgument)
}

// namespaceUsers are the running containers that joined c's namespaces
// (--network, --pid, --ipc or --uts container:c). Records come first and
// only a record that joins c has its run-time state read: rm -f of many
// containers stays linear.
func namespaceUsers(s storage.Store, runRoot string, c Container) []string {
	ctrs, err := s.Containers()
	if err != nil {
		return nil
	}
	var users []string
	for _, ctr := range ctrs {
		if ctr.ID == c.ID || !strings.Contains(ctr.Metadata, ocispec.NSContainer) {
			continue
		}
		rec := DecodeRecord(ctr.Metadata)
		if !joins(rec, c) {
			continue
		}
		if st, ok := ctrstate.Read(runRoot, ctr.ID); ok && st.Running() {
			if rec.Name == "" && len(ctr.Names) > 0 {
				rec.Name = ctr.Names[0]
			}
			users = append(users, rec.Name)
		}
	}
	return users
}

// joins reports whether rec joins one of c's namespaces.
func joins(rec Record, c Container) bool {
	n := rec.Namespaces
	for _, mode := range []string{rec.Network, n.PID, n.IPC, n.UTS} {
		ref, ok := strings.CutPrefix(mode, ocispec.NSContainer)
		if ok && (ref == c.Record.Name || strings.HasPrefix(c.ID, ref)) {
			return true
		}
	}
	return false
}
