package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/imageio"
	"github.com/burrow/burrow/inherit"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/monitor"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/ocispec"
	"github.com/burrow/burrow/volume"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage/pkg/archive"
)

// Types of the container side that the front ends read.
type (
	Container   = lifecycle.Container
	Record      = lifecycle.Record
	Stats       = lifecycle.ContainerStats
	CgroupStats = cgroupv2.Stats
	Change      = archive.Change
	LogEntry    = logfile.Entry
)

// ParseSignal reads a signal name (KILL, SIGTERM) or number.
func ParseSignal(name string) (syscall.Signal, error) { return lifecycle.ParseSignal(name) }

// CheckName refuses a container name docker would refuse.
func CheckName(name string) error { return lifecycle.CheckName(name) }

// Container finds a container by name, full ID or unique ID prefix.
func (e *Engine) Container(ref string) (Container, error) {
	return lifecycle.Find(e.store, e.paths.RunRoot, ref)
}

// Containers lists every container, newest first.
// Spec is the runtime spec c was created with: its process, mounts and
// root, for inspect.
func (e *Engine) Spec(c Container) (*specs.Spec, error) {
	return lifecycle.LoadSpec(e.store, c.ID)
}

// ContainerSize is the size of what c wrote to its own layer.
func (e *Engine) ContainerSize(c Container) (int64, error) {
	return e.store.ContainerSize(c.ID)
}

func (e *Engine) Containers() ([]Container, error) {
	return lifecycle.List(e.store, e.paths.RunRoot)
}

// ContainerStopTimeout as a Stop or Restart timeout is the container's
// --stop-timeout, else lifecycle.DefaultStopTimeout.
const ContainerStopTimeout time.Duration = -1

// Stop sends the container's stop signal, then SIGKILL after timeout.
func (e *Engine) Stop(ref string, timeout time.Duration) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if err := lifecycle.StopWarn(e.store, e.paths.RunRoot, c, timeout, e.warn); err != nil {
		return err
	}
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "stop", nil)
	return nil
}

// Kill sends sig to the container's PID 1.
func (e *Engine) Kill(ref string, sig syscall.Signal) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if err := lifecycle.Kill(e.paths.RunRoot, c, sig); err != nil {
		return err
	}
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "kill", nil)
	return nil
}

// RemoveOptions say how to remove a container.
type RemoveOptions struct {
	Force bool // stop a running container first (SIGKILL; stop signal and wait with --stop-timeout)
	// Volumes removes the container's anonymous volumes too (rm -v) unless
	// another container uses them; named volumes stay.
	Volumes bool
}

// Remove deletes a container with everything it has: storage, cgroup,
// run-time state, network helper, monitor.
func (e *Engine) Remove(ref string, o RemoveOptions) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if err := lifecycle.Remove(e.store, e.paths.RunRoot, c, o.Force); err != nil {
		return err
	}
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "remove", nil)
	if !o.Volumes {
		return nil
	}
	return lifecycle.RemoveAnonymousVolumes(e.store, c.ID, c.Record)
}

// Wait blocks until the container stops and returns its exit code.
func (e *Engine) Wait(ref string) (int, error) {
	c, err := e.Container(ref)
	if err != nil {
		return 0, err
	}
	return lifecycle.Wait(e.store, e.paths.RunRoot, c)
}

// RemovedExit is the exit code of an --rm container that is gone, by its
// full ID, for a waiter that saw it before its removal.
func (e *Engine) RemovedExit(id string) (int, bool) {
	return lifecycle.RemovedExit(e.paths.RunRoot, id)
}

// StartOptions say how to start a stopped container.
type StartOptions struct {
	// Attach keeps this process as the container's parent (like a
	// foreground run) and returns its exit code; else a monitor runs it.
	Attach      bool
	Interactive bool
	// DetachKeys leave an attached, interactive container with a
	// terminal running (it gets a monitor); nil: none.
	DetachKeys []byte
}

// Start runs an existing, stopped container again.
func (e *Engine) Start(ref string, o StartOptions) (int, error) {
	c, err := e.Container(ref)
	if err != nil {
		return 0, err
	}
	// Before this one's lock: a loop of --requires ends in an error, not
	// in waiting for a lock this command holds.
	if _, err := e.startRequired(c.Record.Requires, 0); err != nil {
		return 0, err
	}
	c, unlock, err := e.lockedContainer(c.ID)
	if err != nil {
		return 0, err
	}
	defer unlock()
	return lifecycle.Start(e.store, e.paths.RunRoot, c, lifecycle.StartOpt{Attach: o.Attach, Interactive: o.Interactive, DetachKeys: o.DetachKeys, Started: unlock})
}

// lockedContainer finds a container and takes its lock (see
// lifecycle.LockContainer); what it returns was read under the lock.
func (e *Engine) lockedContainer(ref string) (Container, func(), error) {
	c, err := e.Container(ref)
	if err != nil {
		return Container{}, nil, err
	}
	unlock, err := lifecycle.LockContainer(e.store, c.ID)
	if err != nil {
		return Container{}, nil, err
	}
	if c, err = e.Container(c.ID); err != nil {
		unlock()
		return Container{}, nil, err
	}
	return c, unlock, nil
}

// requiredIDs resolves --requires names (each value may list several,
// comma-separated, as podman takes them) to container IDs.
func (e *Engine) requiredIDs(refs []string) ([]string, error) {
	var ids []string
	for _, list := range refs {
		for _, ref := range strings.Split(list, ",") {
			c, err := e.Container(ref)
			if err != nil {
				return nil, fmt.Errorf("--requires %s: %w", ref, err)
			}
			if !slices.Contains(ids, c.ID) {
				ids = append(ids, c.ID)
			}
		}
	}
	return ids, nil
}

// startRequired starts the --requires containers that are not running,
// theirs first, and returns their IDs.
func (e *Engine) startRequired(refs []string, depth int) ([]string, error) {
	if depth > 16 {
		return nil, fmt.Errorf("%w: --requires: the containers require each other in a loop", errdefs.ErrInvalidArgument)
	}
	ids, err := e.requiredIDs(refs)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		c, err := e.Container(id)
		if err != nil {
			return nil, err
		}
		if c.Running {
			continue
		}
		if _, err := e.startRequired(c.Record.Requires, depth+1); err != nil {
			return nil, err
		}
		if err := e.startLocked(id); err != nil {
			return nil, fmt.Errorf("start %s, which is required: %w", c.Record.Name, err)
		}
	}
	return ids, nil
}

// startLocked starts container id under its lock, unless it runs.
func (e *Engine) startLocked(id string) error {
	c, unlock, err := e.lockedContainer(id)
	if err != nil {
		return err
	}
	defer unlock()
	if c.Running {
		return nil
	}
	_, err = lifecycle.Start(e.store, e.paths.RunRoot, c, lifecycle.StartOpt{})
	return err
}

// Restart stops a container (SIGKILL after timeout) and starts it again.
func (e *Engine) Restart(ref string, timeout time.Duration) error {
	if err := e.Stop(ref, timeout); err != nil {
		return err
	}
	_, err := e.Start(ref, StartOptions{})
	return err
}

// Rename gives a container a new name.
func (e *Engine) Rename(ref, name string) error {
	if err := lifecycle.CheckName(name); err != nil {
		return err
	}
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if err := lifecycle.Rename(e.store, c, name); err != nil {
		return err
	}
	c.Record.Name = name
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "rename", nil)
	return nil
}

// Prune removes every container no burrow process owns and returns their IDs.
func (e *Engine) Prune() ([]string, error) {
	all, err := e.Containers()
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, c := range all {
		if c.Owned {
			continue
		}
		if err := lifecycle.Remove(e.store, e.paths.RunRoot, c, false); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, c.ID)
	}
	return removed, errors.Join(errs...)
}

// Update changes a running container's resource limits; zero values keep
// what the container has.
func (e *Engine) Update(ref string, l Limits) error {
	if err := checkLimits(l); err != nil {
		return err
	}
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	return lifecycle.Update(e.store, c, l)
}

// Pause freezes (or, with false, thaws) every process of a container.
func (e *Engine) Pause(ref string, pause bool) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if err := lifecycle.Pause(e.store, c, pause); err != nil {
		return err
	}
	action := "pause"
	if !pause {
		action = "unpause"
	}
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, action, nil)
	return nil
}

// Stats reads the counters of the named running containers (all running
// ones when none is named).
func (e *Engine) Stats(refs []string) ([]Stats, error) {
	return lifecycle.Stats(e.store, e.paths.RunRoot, refs)
}

// ExecOptions describe a command to run in a running container.
type ExecOptions struct {
	Command     []string
	Env         []string // KEY=VALUE
	Workdir     string
	User        string
	Interactive bool
	Terminal    bool
	PreserveFDs int   // descriptors 3 .. 3+N-1 passed on
	PreserveFD  []int // and these, each at its own number
	// CapAdd, CapDrop and Privileged change the container's capabilities
	// for this command only.
	CapAdd, CapDrop []string
	Privileged      bool
	// DetachKeys, typed with Interactive and Terminal, leave the command
	// running (it gets an exec monitor); nil: none.
	DetachKeys []byte
}

// Exec runs a command in a running container in the foreground and
// returns its exit code.
func (e *Engine) Exec(ref string, o ExecOptions) (int, error) {
	if len(o.Command) == 0 {
		return 0, fmt.Errorf("%w: exec needs a command", errdefs.ErrInvalidArgument)
	}
	preserve, err := inherit.Files(o.PreserveFDs, o.PreserveFD)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
	}
	c, err := e.Container(ref)
	if err != nil {
		return 0, err
	}
	opt := lifecycle.ExecOpt{
		Args: o.Command, Env: o.Env, Workdir: o.Workdir, User: o.User,
		Interactive: o.Interactive, Terminal: o.Terminal, Preserve: preserve,
		Caps: ocispec.Security{CapAdd: o.CapAdd, CapDrop: o.CapDrop, Privileged: o.Privileged},
	}
	if o.Interactive && o.Terminal && len(o.DetachKeys) > 0 && len(preserve) == 0 {
		return e.execAttached(c, opt, o.DetachKeys)
	}
	return e.execEvents(c, func() (int, error) { return lifecycle.Exec(e.store, c, opt) })
}

// execAttached is exec -it through an exec monitor; after a detach the
// monitor logs exec_died.
func (e *Engine) execAttached(c Container, opt lifecycle.ExecOpt, keys []byte) (int, error) {
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "exec", nil)
	died := lifecycle.Event(c.ID, c.Record, "exec_died", nil)
	code, detached, err := lifecycle.ExecAttached(e.store, e.paths.RunRoot, c, opt, keys, died)
	if err == nil && !detached {
		lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "exec_died", &code)
	}
	return code, err
}

// execEvents logs podman's exec and, with the exit code, exec_died
// around an exec.
func (e *Engine) execEvents(c Container, exec func() (int, error)) (int, error) {
	lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "exec", nil)
	code, err := exec()
	if err == nil {
		lifecycle.Emit(e.paths.RunRoot, c.ID, c.Record, "exec_died", &code)
	}
	return code, err
}

// CopyOptions say whose the files copied into a container become.
type CopyOptions struct {
	// Chown gives them to the container's primary user and group (podman
	// cp's --archive, its default; the API's copyUIDGID); without it they
	// keep their source's owner (a tar's, the other container's, the
	// host's as the namespace sees it).
	Chown bool
	// NoFollow copies a symlink named as the source as the link itself
	// (docker cp's default, --follow-link=false); podman's default, and
	// docker's -L, copy what it points at, resolved inside the root.
	NoFollow bool
	// Overwrite replaces a directory in the way of a non-directory and
	// the reverse (podman cp --overwrite); without it that is an error.
	Overwrite bool
}

// CopyOut copies src in the container to dst on the host; the copies are
// the user's.
func (e *Engine) CopyOut(ref, src, dst string, o CopyOptions) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	return lifecycle.CopyOut(e.store, c, src, dst, lifecycle.CopyOpt{NoFollow: o.NoFollow, Overwrite: o.Overwrite})
}

// CopyIn copies src on the host to dst in the container.
func (e *Engine) CopyIn(ref, src, dst string, o CopyOptions) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	opt := lifecycle.CopyOpt{Keep: !o.Chown, NoFollow: o.NoFollow, Overwrite: o.Overwrite}
	if o.Chown {
		spec, err := lifecycle.LoadSpec(e.store, c.ID)
		if err != nil {
			return fmt.Errorf("the user of %s: %w", c.Record.Name, err)
		}
		opt.Owner = &lifecycle.Owner{UID: int(spec.Process.User.UID), GID: int(spec.Process.User.GID)}
	}
	return lifecycle.CopyIn(e.store, c, src, dst, opt)
}

// Diff lists what changed in a container's filesystem against its image.
func (e *Engine) Diff(ref string) ([]Change, error) {
	c, err := e.Container(ref)
	if err != nil {
		return nil, err
	}
	stored, err := e.store.Container(c.ID)
	if err != nil {
		return nil, err
	}
	changes, err := e.store.Changes("", stored.LayerID)
	if err != nil {
		return nil, fmt.Errorf("diff %s: %w", c.Record.Name, err)
	}
	return changes, nil
}

// Top lists the host PIDs of a running container's processes.
func (e *Engine) Top(ref string) ([]int, error) {
	c, err := e.Container(ref)
	if err != nil {
		return nil, err
	}
	if !c.Running {
		return nil, fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	return pidsInNamespace(c.Pid)
}

// pidsInNamespace lists the processes in pid's PID namespace.
func pidsInNamespace(pid int) ([]int, error) {
	want, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/pid", pid))
	if err != nil {
		return nil, fmt.Errorf("read the container's PID namespace: %w", err)
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, en := range entries {
		n, err := strconv.Atoi(en.Name())
		if err != nil {
			continue
		}
		if ns, err := os.Readlink("/proc/" + en.Name() + "/ns/pid"); err == nil && ns == want {
			pids = append(pids, n)
		}
	}
	return pids, nil
}

// Export writes a container's filesystem as a tar.
func (e *Engine) Export(ref string, w io.Writer) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	return lifecycle.WithRoot(e.store, c, func(root string) error { return imageio.Export(root, w) })
}

// Addresses are a running container's own addresses (none for a
// container that shares another's network or the host's).
func (e *Engine) Addresses(c Container) (Addresses, bool) {
	if !c.Running || !network.MustParse(c.Record.Network).OwnNamespace() {
		return Addresses{}, false
	}
	a, err := network.ReadAddresses(c.Pid)
	return a, err == nil
}

// LogsOptions select a container's log entries.
type LogsOptions struct {
	Follow       bool // keep reading until the container stops
	Tail         int  // only the last N entries of what is there; < 0 all
	Since, Until time.Time
	// Attach skips what is logged already and follows until the container
	// stops; a container not started yet is waited for (the log is opened
	// before its start, so a short-lived one loses nothing).
	Attach bool
	// Following, if set, is called once what follows will be passed on
	// (an attach sends the container's stdin only then: the answer to it
	// must not be skipped as logged already).
	Following func()
}

// Logs passes a container's log entries to fn, in order.
func (e *Engine) Logs(ctx context.Context, ref string, o LogsOptions, fn func(LogEntry) error) error {
	c, err := e.Container(ref)
	if err != nil {
		return err
	}
	if d := c.Record.LogDriver; d == "none" && o.Attach {
		return e.attachLive(ctx, c, o, fn)
	} else if d != "" {
		return fmt.Errorf("%w: container %s uses the %s log driver: no log is kept", errdefs.ErrInvalidArgument, c.Record.Name, d)
	}
	path, err := lifecycle.LogPath(e.store, c.ID, c.Record)
	if err != nil {
		return err
	}
	window := func(en LogEntry) bool {
		return (o.Since.IsZero() || !en.Time.Before(o.Since)) && (o.Until.IsZero() || en.Time.Before(o.Until))
	}
	var readers []io.Reader
	if !o.Attach {
		files := logfile.Files(path, c.Record.LogRotation)
		for _, name := range files[:len(files)-1] {
			if old, err := os.Open(name); err == nil {
				defer old.Close()
				readers = append(readers, old)
			}
		}
	}
	flags := os.O_RDONLY
	if o.Attach {
		flags |= os.O_CREATE
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, os.ErrNotExist) {
		return nil // never started in the background: no log
	}
	if err != nil {
		return fmt.Errorf("open log: %w", err)
	}
	defer f.Close()
	if o.Attach {
		o.Follow = true
		if _, err := f.Seek(0, io.SeekEnd); err != nil {
			return err
		}
	}
	if o.Following != nil {
		o.Following()
	}
	readers = append(readers, f)
	if err := emit(io.MultiReader(readers...), o.Tail, window, fn); err != nil {
		return err
	}
	for o.Follow {
		now, err := e.Container(c.ID)
		notStarted := !now.Owned && now.Record.Finished.IsZero() && !now.Running
		running := err == nil && (now.Running || (o.Attach && (now.Owned || notStarted)))
		if err := emit(f, -1, window, fn); err != nil {
			return err
		}
		if !running {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// attachLive follows the output of a container that keeps no log from its
// monitor, until the container stops.
func (e *Engine) attachLive(ctx context.Context, c Container, o LogsOptions, fn func(LogEntry) error) error {
	if !c.Running {
		return fmt.Errorf("%w: container %s is not running", errdefs.ErrInvalidArgument, c.Record.Name)
	}
	conn, err := monitor.AttachOutput(ctrstate.AttachPath(e.paths.RunRoot, c.ID))
	if err != nil {
		return fmt.Errorf("attach to %s: %w", c.Record.Name, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if o.Following != nil {
		o.Following()
	}
	err = logfile.Read(conn, fn)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// emit passes the entries from r's current offset to fn, only the last n
// when n >= 0.
func emit(r io.Reader, n int, keep func(LogEntry) bool, fn func(LogEntry) error) error {
	var entries []LogEntry
	err := logfile.Read(r, func(en LogEntry) error {
		if !keep(en) {
			return nil
		}
		entries = append(entries, en)
		if n >= 0 && len(entries) > n {
			entries = entries[1:]
		}
		return nil
	})
	for _, en := range entries {
		if err := fn(en); err != nil {
			return err
		}
	}
	return err
}

// CommitOptions describe the image a commit makes.
type CommitOptions struct {
	Name    string   // IMAGE[:TAG]; "" leaves it unnamed
	Changes []string // Dockerfile instructions: CMD, ENTRYPOINT, ENV, ...
	Message string
	Author  string
	Pause   bool   // freeze a running container while its layer is read
	Format  string // the manifest: oci ("") or docker
	// Config is docker's container configuration as JSON (--config),
	// merged into the image's before Changes.
	Config []byte
	// IncludeVolumes adds the container's -v and --mount destinations as
	// the image's VOLUMEs.
	IncludeVolumes bool
	Squash         bool // one layer: the image's and the container's changes together
}

// Commit makes an image of a container's changes and returns its ID.
func (e *Engine) Commit(ref string, o CommitOptions) (string, error) {
	if err := CheckChanges(o.Changes); err != nil {
		return "", err
	}
	if o.Format != "" && o.Format != "oci" && o.Format != "docker" {
		return "", fmt.Errorf("%w: --format %q: want oci or docker", errdefs.ErrInvalidArgument, o.Format)
	}
	c, err := e.Container(ref)
	if err != nil {
		return "", err
	}
	if o.Pause && c.Running && !c.Paused {
		if err := e.Pause(c.ID, true); err == nil {
			defer func() { _ = e.Pause(c.ID, false) }()
		}
	}
	opt := imageio.CommitOpt{Name: o.Name, Changes: o.Changes, Message: o.Message, Author: o.Author, Format: o.Format, Config: o.Config, Squash: o.Squash}
	if o.IncludeVolumes {
		for _, m := range c.Record.Mounts {
			if m.Kind == volume.KindVolume || m.Kind == volume.KindBind {
				opt.Volumes = append(opt.Volumes, m.Destination)
			}
		}
	}
	return imageio.Commit(e.store, c.ID, opt)
}

// CheckChanges refuses --change instructions burrow cannot apply.
func CheckChanges(changes []string) error {
	return imageio.ApplyChanges(new(imageio.Config), changes)
}

// Streams are the stdio of a command a front end runs in a container
// without a terminal of this process (the API socket).
type Streams = lifecycle.Streams

// ExecStreams is Exec with st as the command's stdio.
func (e *Engine) ExecStreams(ref string, o ExecOptions, st Streams) (int, error) {
	if len(o.Command) == 0 {
		return 0, fmt.Errorf("%w: exec needs a command", errdefs.ErrInvalidArgument)
	}
	c, err := e.Container(ref)
	if err != nil {
		return 0, err
	}
	return e.execEvents(c, func() (int, error) {
		return lifecycle.ExecStreams(e.store, c, lifecycle.ExecOpt{
			Args: o.Command, Env: o.Env, Workdir: o.Workdir, User: o.User, Terminal: o.Terminal,
		}, st)
	})
}

// PathStat is what a path in a container is.
type PathStat = lifecycle.PathStat

// Stat reports what p is in a container (resolved once, inside its root).
func (e *Engine) Stat(ref, p string) (PathStat, error) {
	c, err := e.Container(ref)
	if err != nil {
		return PathStat{}, err
	}
	return lifecycle.Stat(e.store, c, p)
}

// Health types: a status and one result of a check.
type (
	HealthState  = health.State
	HealthResult = health.Result
)

// HealthCheck runs a running container's healthcheck once now and
// records the result.
func (e *Engine) HealthCheck(ref string) (HealthResult, error) {
	c, err := e.Container(ref)
	if err != nil {
		return HealthResult{}, err
	}
	return lifecycle.HealthCheck(e.store, e.paths.RunRoot, c)
}

// Dependents are the containers, running or not, that joined ref's
// namespaces (--network, --pid, --ipc or --uts container:REF) or
// --requires it.
func (e *Engine) Dependents(ref string) ([]Container, error) {
	c, err := e.Container(ref)
	if err != nil {
		return nil, err
	}
	all, err := e.Containers()
	if err != nil {
		return nil, err
	}
	var out []Container
	for _, o := range all {
		if slices.Contains(o.Record.Requires, c.ID) {
			out = append(out, o)
			continue
		}
		n := o.Record.Namespaces
		for _, mode := range []string{o.Record.Network, n.PID, n.IPC, n.UTS} {
			target, ok := strings.CutPrefix(mode, ocispec.NSContainer)
			if ok && o.ID != c.ID && (target == c.Record.Name || len(target) >= 3 && strings.HasPrefix(c.ID, target)) {
				out = append(out, o)
				break
			}
		}
	}
	return out, nil
}
