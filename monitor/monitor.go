package monitor

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/events"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/netconf"
	"github.com/burrow/burrow/network"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Verb is the hidden argv[1] of the monitor.
const Verb = "__monitor"

// Opt is what the CLI hands the monitor (as JSON on fd 3).
type Opt struct {
	ID          string           `json:"id"`
	RunRoot     string           `json:"runRoot"`
	SpecPath    string           `json:"specPath"`
	LogPath     string           `json:"logPath"`
	AutoRemove  bool             `json:"autoRemove"`
	Restart     string           `json:"restart"`
	LogRotation logfile.Rotation `json:"logRotation"`
	Network     string           `json:"network,omitempty"`
	Ports       []network.Port   `json:"ports,omitempty"`
	Name        string           `json:"name,omitempty"`
	Networks    []netconf.Attach `json:"networks,omitempty"`
	Health      *health.Config   `json:"health,omitempty"`
	// Joins are the containers whose namespaces this one joins (--pid,
	// --ipc, --uts, --network container:); a restart joins them as they
	// run then.
	Joins []Join `json:"joins,omitempty"`
	// Stdin keeps the container's stdin open for attach (docker's
	// OpenStdin); StdinOnce closes it after the first attach's EOF.
	Stdin     bool `json:"stdin,omitempty"`
	StdinOnce bool `json:"stdinOnce,omitempty"`
	// Live serves the output on the attach socket as it comes: no log is
	// kept (--log-driver none) for attach to follow.
	Live bool `json:"live,omitempty"`
	// LockPath is the container's lock, taken for each restart until the
	// container runs (the first start's caller holds it for that one).
	LockPath string `json:"lockPath,omitempty"`
	Timeout  int    `json:"timeout,omitempty"` // --timeout: seconds before SIGKILL
	// Client: a foreground command is attached at ClientFD (run -it).
	Client bool     `json:"client,omitempty"`
	Finish []string `json:"finish"` // argv that records the end; the exit code and "started" are appended

	// backendFor is Main's picker of the network backend.
	backendFor BackendFor
}

// BackendFor picks the network backend of a mode: backends.For in burrow,
// nobridge.For in the small burrow-init, whose monitors serve only
// containers that are on no user-defined network (see NeedsBridge).
type BackendFor func(network.Mode) (network.Backend, error)

// NeedsBridge reports whether the container of opt is on user-defined
// networks, whose monitor must be burrow: burrow-init does not link them.
func NeedsBridge(opt Opt) bool {
	m, err := network.Parse(opt.Network)
	return len(opt.Networks) > 0 || err == nil && m.Kind == network.Bridge
}

// Report is the monitor's one message to the CLI (fd 4): 0 once the
// command runs, else the exit code burrow should return and why.
type Report struct {
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"`
}

// Main is the monitor process's life; backendFor picks the container's
// network backend.
func Main(backendFor BackendFor) int {
	ready := os.NewFile(4, "ready")
	var opt Opt
	optFile := os.NewFile(3, "opt")
	err := json.NewDecoder(optFile).Decode(&opt)
	optFile.Close()
	if err != nil {
		report(ready, errdefs.ExitBurrow, "monitor: read options: "+err.Error())
		return errdefs.ExitBurrow
	}
	opt.backendFor = backendFor
	cs := &clients{}
	var cl *client
	if opt.Client {
		cl = openClient()
		cs.add(cl)
	}
	code, started := supervise(opt, ready, cs)
	if cl.handOver(code, started) {
		cs.exit(code, cl)
		return 0
	}
	rc := finish(opt, code, started)
	cs.exit(code, nil)
	return rc
}

// supervise runs the container, and again as the restart policy says,
// until it stays down; it returns the last exit code and whether it ever ran.
func supervise(opt Opt, ready *os.File, cs *clients) (int, bool) {
	// Caught and dropped, not ignored: an ignored signal is inherited
	// through exec, so the container's processes would ignore SIGINT (^C
	// on its terminal, a --stop-signal) and pasta (2023) refuses to start
	// with SIGPIPE ignored.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP, syscall.SIGINT)
	st, spec, logw, closeLog, err := prepare(opt)
	if err != nil {
		report(ready, errdefs.ExitBurrow, err.Error())
		return 0, false
	}
	defer closeLog()
	var attach *attachServer
	if opt.Stdin || spec.Process.Terminal || opt.Live {
		path := ctrstate.AttachPath(opt.RunRoot, opt.ID)
		if attach, err = listenAttach(path, opt.StdinOnce, cs); err != nil {
			report(ready, errdefs.ExitBurrow, err.Error())
			return 0, false
		}
		defer attach.stop(path)
		if opt.Live {
			logw.Tee(attach.broadcast)
		}
	}
	policy, _ := ParseRestartPolicy(opt.Restart)
	last := 0
	for {
		unlock := func() {}
		if ready == nil && opt.LockPath != "" {
			// Taken or not (the container being removed), the restart goes on.
			if u, err := ctrstate.LockFile(opt.LockPath); err == nil {
				unlock = u
			}
		}
		code, healthAction, err := runOnce(opt, &st, spec, logw, ready, attach, cs, unlock)
		unlock()
		if err != nil {
			report(ready, startCode(err), err.Error())
			if ready == nil { // a failed restart: it ran before, and its last exit stands
				restartFailed(logw, err)
			}
			return last, ready == nil
		}
		last = code
		ready = nil // only the first start is reported
		// --health-on-failure: stop ends it for good, restart starts it
		// again whatever the policy, kill leaves it to the policy.
		again := healthAction == "restart" || healthAction != "stop" && policy.restart(code, st.RestartCount)
		if ctrstate.Stopped(opt.RunRoot, opt.ID) || !again {
			return code, true
		}
		st.RestartCount++
		time.Sleep(restartDelay(st.RestartCount))
		if ctrstate.Stopped(opt.RunRoot, opt.ID) {
			return code, true
		}
		if err := rejoin(opt, spec, rejoinWait); err != nil {
			restartFailed(logw, err)
			return code, true
		}
	}
}

func prepare(opt Opt) (ctrstate.State, *specs.Spec, *logfile.Writer, func(), error) {
	st, err := ctrstate.Own(opt.AutoRemove)
	if err != nil {
		return st, nil, nil, nil, err
	}
	if err := ctrstate.Write(opt.RunRoot, opt.ID, st); err != nil {
		return st, nil, nil, nil, err
	}
	data, err := os.ReadFile(opt.SpecPath)
	if err != nil {
		return st, nil, nil, nil, fmt.Errorf("read spec: %w", err)
	}
	var spec specs.Spec
	if err := json.Unmarshal(data, &spec); err != nil {
		return st, nil, nil, nil, fmt.Errorf("parse spec: %w", err)
	}
	logw, closeLog, err := logfile.Create(opt.LogPath, opt.LogRotation)
	if err != nil {
		return st, nil, nil, nil, err
	}
	return st, &spec, logw, func() { _ = closeLog() }, nil
}

// restartFailed says in the container's log (burrow logs) why the restart
// policy could not start it again; nobody else is there to hear it.
func restartFailed(logw *logfile.Writer, err error) {
	_ = logw.Copy("stderr", strings.NewReader("burrow: restart failed: "+err.Error()+"\n"))
}

func startCode(err error) int { return errdefs.ExitCode(err) }

// runOnce starts the container once, logs its output and waits for it.
// started is called once the container runs.
func runOnce(opt Opt, st *ctrstate.State, spec *specs.Spec, logw *logfile.Writer, ready *os.File, attach *attachServer, cl *clients, started func()) (code int, healthAction string, err error) {
	stdout, stdoutW, err := os.Pipe()
	if err != nil {
		return 0, "", err
	}
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		return 0, "", err
	}
	m := network.MustParse(opt.Network)
	backend, err := opt.backendFor(m)
	if err != nil {
		return 0, "", err
	}
	networks := opt.Networks
	if changed, ok := ctrstate.Networks(opt.RunRoot, opt.ID); ok {
		networks = changed // network connect/disconnect since the start
	}
	connect, disconnect := network.Hook(backend, m, network.Request{ID: opt.ID, Name: opt.Name, Ports: opt.Ports,
		StateDir: network.StateDir(opt.RunRoot, opt.ID), RunRoot: opt.RunRoot, Networks: networks})
	defer disconnect()
	stdio := container.Stdio{Stdout: stdoutW, Stderr: stderrW}
	var stdinW *os.File
	if opt.Stdin && !spec.Process.Terminal {
		if stdio.Stdin, stdinW, err = os.Pipe(); err != nil {
			return 0, "", err
		}
		attach.set(stdinW, false)
		defer func() { attach.set(nil, false); stdinW.Close() }()
	}
	p, err := container.Start(spec, stdio, container.Hooks{AfterClone: connect})
	stdoutW.Close()
	stderrW.Close()
	if stdio.Stdin != nil {
		stdio.Stdin.Close()
	}
	if err != nil {
		stdout.Close()
		stderr.Close()
		return 0, "", err
	}
	var copies sync.WaitGroup
	copyLog := func(stream string, r *os.File) {
		copies.Add(1)
		go func() { defer copies.Done(); _ = logw.Copy(stream, r); r.Close() }()
	}
	copyTerminal := func(r *os.File) {
		copies.Add(1)
		// An attached client sees what is logged as it is read.
		go func() { defer copies.Done(); _ = logw.CopyChunks("stdout", io.TeeReader(r, cl)); r.Close() }()
	}
	copyLog("stdout", stdout)
	copyLog("stderr", stderr)
	if p.Terminal != nil {
		if attach != nil {
			attach.set(p.Terminal, true)
			defer attach.set(nil, false)
		}
		cl.attach(p.Terminal, p.Signal)
		defer cl.release()
		copyTerminal(p.Terminal)
	}
	if err := ctrstate.MarkStarted(opt.RunRoot, opt.ID, st, p.Pid); err != nil || ctrstate.Stopped(opt.RunRoot, opt.ID) {
		// Unrecorded, nobody could stop it; stopped before it was on
		// record, nobody could signal it.
		_ = p.Signal(syscall.SIGKILL)
	} else {
		_ = events.Write(opt.RunRoot, events.Event{Type: "container", Action: "start", ID: opt.ID, Name: opt.Name})
	}
	started()
	// The "starting" status is written before run -d returns, so the first
	// ps after it shows it.
	stopChecks := health.Start(opt.RunRoot, opt.ID, opt.Health, spec, p.Pid, st.Started)
	report(ready, 0, "")
	stopTimeout := KillAfter(p, opt.Timeout)
	code, err = p.Wait()
	stopTimeout()
	healthAction = stopChecks()
	copies.Wait()
	return code, healthAction, err
}

// KillAfter sends SIGKILL to p once secs (--timeout) have passed. It
// goes through a pidfd taken now, while p is ours and not reaped, so a
// late timer cannot hit a process that reused the PID.
func KillAfter(p *container.Process, secs int) (stop func()) {
	if secs <= 0 {
		return func() {}
	}
	fd, err := unix.PidfdOpen(p.Pid, 0)
	if err != nil {
		return func() {}
	}
	t := time.AfterFunc(time.Duration(secs)*time.Second, func() {
		_ = unix.PidfdSendSignal(fd, unix.SIGKILL, nil, 0)
		unix.Close(fd)
	})
	return func() {
		if t.Stop() {
			unix.Close(fd)
		}
	}
}

func report(ready *os.File, code int, msg string) {
	if ready == nil {
		return
	}
	_ = json.NewEncoder(ready).Encode(Report{Code: code, Message: msg})
	ready.Close()
}

// finish hands the end to `burrow __finish`, which can open the store.
func finish(opt Opt, code int, started bool) int {
	args := append(append([]string{}, opt.Finish[1:]...), strconv.Itoa(code), strconv.FormatBool(started))
	cmd := exec.Command(opt.Finish[0], args...)
	cmd.Env = os.Environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "monitor: %s: %v: %s\n", opt.Finish, err, out)
		return errdefs.ExitBurrow
	}
	return 0
}

// restartDelay doubles from 100 ms up to 10 s.
func restartDelay(restarts int) time.Duration {
	d := 100 * time.Millisecond
	for i := 1; i < restarts && d < 10*time.Second; i++ {
		d *= 2
	}
	return min(d, 10*time.Second)
}
