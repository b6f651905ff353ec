package tests

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRootOwnedContainersDir: where root has used podman, buildah or
// skopeo, /var/lib/containers is root's (0700, with sigstore/ inside).
// burrow is uid 0 in its namespace; unless it tells containers/image it is
// rootless, the library looks for signatures and keeps its blob-info cache
// there, and pull fails with "permission denied". Registry and archive
// verbs must all work, with the cache in the user's data directory.
func TestRootOwnedContainersDir(t *testing.T) {
	const rootDir = "/var/lib/containers"
	st, err := os.Stat(rootDir)
	if err != nil {
		t.Skipf("%s is missing (tests/setup makes it root-owned 0700, as root's podman leaves it): %v", rootDir, err)
	}
	if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 0 || st.Mode().Perm() != 0o700 {
		t.Skipf("%s is not root's with mode 0700 (uid %d, %v): tests/setup makes it so", rootDir, sys.Uid, st.Mode().Perm())
	}
	if _, err := os.Stat(filepath.Join(rootDir, "sigstore")); !errors.Is(err, fs.ErrPermission) {
		t.Fatalf("the test user can look into %s (%v): the test would not show anything", rootDir, err)
	}
	reg := startRegistry(t, "")
	e := detachedEnv(t)
	e.ok("login", "--tls-verify=false", "-u", "nobody", "-p", "none", reg.addr)
	ref := reg.addr + "/burrow/rootdir:1"
	e.ok("push", "-q", "--tls-verify=false", busyboxImage, ref)

	fresh := newEnv(t)
	if r := fresh.burrow("pull", "-q", "--tls-verify=false", ref); r.code != 0 {
		t.Fatalf("pull with a root-owned %s: %s", rootDir, r)
	}
	if out := fresh.ok("run", "--rm", ref, "echo", "pulled"); out != "pulled\n" {
		t.Errorf("run of the pulled image: %q", out)
	}
	// Where containers/image keeps its cache tells which identity it
	// assumed: root's would be /var/lib/containers/cache.
	cache := filepath.Join(fresh.dir, "data", "containers", "cache", "blob-info-cache-v1.sqlite")
	if _, err := os.Stat(cache); err != nil {
		t.Errorf("the blob-info cache is not in the user's data directory after pull (%v): containers/image took burrow for root", err)
	}

	archive := filepath.Join(t.TempDir(), "img.tar")
	fresh.ok("save", "-q", "-o", archive, ref)
	other := newEnv(t)
	other.ok("load", "-q", "-i", archive)
	if out := other.ok("run", "--rm", ref, "echo", "loaded"); out != "loaded\n" {
		t.Errorf("run of the loaded image: %q", out)
	}
	e.ok("logout", reg.addr)
}

// proc is a process told apart from a later one with its pid.
type proc struct {
	pid   int
	start string
	cmd   string
}

func procStat(pid int) (ppid int, start string, ok bool) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, "", false
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, "", false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return 0, "", false
	}
	ppid, _ = strconv.Atoi(f[1])
	return ppid, f[19], true
}

// descendants lists pid and every process below it.
func descendants(pid int) []proc {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, en := range entries {
		p, err := strconv.Atoi(en.Name())
		if err != nil {
			continue
		}
		if ppid, _, ok := procStat(p); ok {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []proc
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if _, start, ok := procStat(p); ok {
			cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", p))
			out = append(out, proc{pid: p, start: start, cmd: strings.ReplaceAll(strings.TrimRight(string(cmd), "\x00"), "\x00", " ")})
		}
		queue = append(queue, children[p]...)
	}
	return out
}

func alive(ps []proc) []string {
	var left []string
	for _, p := range ps {
		if _, start, ok := procStat(p.pid); ok && start == p.start {
			left = append(left, fmt.Sprintf("%d %s", p.pid, p.cmd))
		}
	}
	return left
}

// mountPoints is the set of mount points in the holder's namespace.
func (e *env) mountPoints(t *testing.T) map[string]bool {
	set := map[string]bool{}
	for _, line := range strings.Split(e.holderMounts(t), "\n") {
		if f := strings.Fields(line); len(f) > 4 {
			set[f[4]] = true
		}
	}
	return set
}

func newMounts(before, now map[string]bool) []string {
	var extra []string
	for m := range now {
		if !before[m] {
			extra = append(extra, m)
		}
	}
	sort.Strings(extra)
	return extra
}

// runtimeFiles lists what the run root holds of a container: burrow's
// state, stop marker and network directory, and with store also the
// store's run directory (its spec), which a stopped container keeps.
func (e *env) runtimeFiles(id string, store bool) []string {
	var found []string
	_ = filepath.WalkDir(filepath.Join(e.dir, "run"), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if !store && d.IsDir() && strings.HasSuffix(d.Name(), "-containers") {
			return filepath.SkipDir
		}
		if strings.Contains(d.Name(), id[:12]) {
			found = append(found, path)
		}
		return nil
	})
	return found
}

// cgroupOfPid is the cgroup v2 directory of a process on the host.
func cgroupOfPid(pid int) string {
	mount := cgroup2Mount()
	data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cgroup", pid))
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "0::"); ok && mount != "" {
			return filepath.Join(mount, rest)
		}
	}
	return ""
}

// leftAfter checks that a container left nothing: processes, mounts in
// the holder, its cgroup, run-time files.
func leftAfter(t *testing.T, e *env, what, id string, procs []proc, mountsBefore map[string]bool, cgroup string, removed bool) {
	t.Helper()
	if !waitFor(10*time.Second, func() bool { return len(alive(procs)) == 0 }) {
		t.Errorf("after %s, processes of the container are left: %v", what, alive(procs))
		// A monitor whose container the store forgot outlives the env's cleanup.
		for _, p := range procs {
			if _, start, ok := procStat(p.pid); ok && start == p.start {
				_ = syscall.Kill(p.pid, syscall.SIGKILL)
			}
		}
		waitFor(5*time.Second, func() bool { return len(alive(procs)) == 0 })
	}
	if extra := newMounts(mountsBefore, e.mountPoints(t)); len(extra) > 0 {
		t.Errorf("after %s, mounts are left in the holder: %v", what, extra)
	}
	if cgroup != "" {
		if _, err := os.Stat(cgroup); err == nil {
			t.Errorf("after %s, cgroup %s is left", what, cgroup)
			_ = os.Remove(cgroup)
		}
	}
	if files := e.runtimeFiles(id, removed); len(files) > 0 {
		t.Errorf("after %s, run-time files are left: %v", what, files)
	}
}

// TestRmiForceRunningContainer: rmi -f of the image of a running detached
// container removes the container as rm -f does, monitor, network helper,
// cgroup and run-time state included, not only its storage.
func TestRmiForceRunningContainer(t *testing.T) {
	requireHelper(t, "slirp4netns")
	e := detachedEnv(t)
	e.ok("tag", busyboxImage, "doomed")
	e.ok("ps") // starts the holder, so its mounts can be compared
	mounts := e.mountPoints(t)
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "victim", "--network", "slirp4netns", "doomed", "sleep", "1000"))
	pid1, _ := strconv.Atoi(strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", "victim")))
	st, err := os.ReadFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
	if err != nil {
		t.Fatalf("no state of the running container: %v", err)
	}
	monitor := jsonInt(t, string(st), "ownerPid")
	procs := descendants(monitor)
	var names []string
	for _, p := range procs {
		names = append(names, p.cmd)
	}
	joined := strings.Join(names, "\n")
	if len(procs) < 3 || !strings.Contains(joined, "slirp4netns") || !strings.Contains(joined, "sleep 1000") {
		t.Fatalf("want the monitor, slirp4netns and the container's PID 1 (sleep), have:\n%s", joined)
	}
	cgroup := ""
	if cg := cgroupOfPid(pid1); strings.HasSuffix(cg, "/burrow-"+id) {
		cgroup = cg
	}
	if len(newMounts(mounts, e.mountPoints(t))) == 0 || len(e.runtimeFiles(id, false)) == 0 {
		t.Fatalf("a running container has no mounts or run-time files: the checks below would show nothing")
	}

	e.ok("rmi", "-f", "doomed")
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("ps -a after rmi -f of its image: %q", out)
	}
	if strings.Contains(e.ok("images"), "doomed") {
		t.Errorf("rmi -f left the image")
	}
	leftAfter(t, e, "rmi -f", id, procs, mounts, cgroup, true)
}

// foreground is `burrow run` without -d, started as a user would in
// another terminal.
type foreground struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	code int
}

func startForeground(t *testing.T, e *env, name string) *foreground {
	t.Helper()
	// PID 1 ignores SIGTERM, so stop needs its SIGKILL after -t.
	cmd := exec.Command(burrowBin, "run", "--name", name, busyboxImage, "sh", "-c", `trap "" TERM; echo ready; sleep 1000`)
	cmd.Env = e.vars
	fg := &foreground{cmd: cmd, out: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = fg.out, fg.out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = cmd.Wait()
		fg.code = cmd.ProcessState.ExitCode()
		close(fg.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-fg.done
	})
	if !waitFor(20*time.Second, func() bool { return strings.Contains(fg.out.String(), "ready") }) {
		t.Fatalf("the foreground container did not start: %q", fg.out.String())
	}
	return fg
}

// exited waits for the foreground burrow to end and returns its exit
// code; one still running is killed, so the later verbs are tried too.
func (fg *foreground) exited(t *testing.T) int {
	t.Helper()
	select {
	case <-fg.done:
		return fg.code
	case <-time.After(40 * time.Second):
		t.Errorf("the foreground burrow is still running; it printed %q", fg.out.String())
		_ = fg.cmd.Process.Kill()
		<-fg.done
		return -1
	}
}

// parts are what a foreground container is made of on the host, found
// from outside: its processes below burrow, its cgroup when it has one.
func (fg *foreground) parts(t *testing.T, e *env) (id string, procs []proc, cgroup string) {
	t.Helper()
	id = strings.TrimSpace(e.ok("inspect", "--format", "{{.ID}}", "fg"))
	procs = descendants(fg.cmd.Process.Pid)
	for _, p := range procs {
		if cg := cgroupOfPid(p.pid); strings.HasSuffix(cg, "/burrow-"+id) {
			cgroup = cg
		}
	}
	if len(procs) < 3 || len(e.runtimeFiles(id, false)) == 0 {
		t.Fatalf("a running foreground container shows no processes or run-time files: %v %v", procs, e.runtimeFiles(id, false))
	}
	return id, procs, cgroup
}

// TestForegroundContainerVerbs: a container run in the foreground is
// seen and handled by other burrow commands as a detached one is.
func TestForegroundContainerVerbs(t *testing.T) {
	e := detachedEnv(t)
	e.ok("ps")
	mounts := e.mountPoints(t)

	fg := startForeground(t, e, "fg")
	id, procs, cgroup := fg.parts(t, e)
	if out := e.ok("ps", "--format", "{{.Names}} {{.State}}"); out != "fg running\n" {
		t.Errorf("ps: %q, want fg running", out)
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}} {{.Status}}"); !strings.HasPrefix(out, "fg Up ") {
		t.Errorf("ps -a: %q, want fg Up ...", out)
	}
	var pid int
	if out := e.ok("inspect", "--format", "{{.State.Running}} {{.State.Pid}}", "fg"); !strings.HasPrefix(out, "true ") {
		t.Errorf("inspect: %q, want true PID", out)
	} else {
		pid, _ = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(out, "true ")))
		if ppid, _, ok := procStat(pid); !ok || ppid != fg.cmd.Process.Pid {
			t.Errorf("inspect's PID %d is not the foreground burrow's child", pid)
		}
	}
	if r := e.burrow("top", "fg"); r.code != 0 || !strings.Contains(r.stdout, "sleep 1000") {
		t.Errorf("top: %s", r)
	}
	if r := e.burrow("exec", "fg", "echo", "inside"); r.code != 0 || r.stdout != "inside\n" {
		t.Errorf("exec: %s", r)
	}
	t.Run("pause", func(t *testing.T) {
		cg := cgroup
		if cg == "" {
			t.Skipf("the container has no cgroup of its own (%q): pause needs a delegated cgroup v2 subtree", cgroupOfPid(procs[len(procs)-1].pid))
		}
		e := e.forTest(t)
		if r := e.burrow("pause", "fg"); r.code != 0 || !strings.Contains(readFile(filepath.Join(cg, "cgroup.events")), "frozen 1") {
			t.Errorf("pause: %s\ncgroup.events: %s", r, readFile(filepath.Join(cg, "cgroup.events")))
		}
		if r := e.burrow("unpause", "fg"); r.code != 0 || !strings.Contains(readFile(filepath.Join(cg, "cgroup.events")), "frozen 0") {
			t.Errorf("unpause: %s\ncgroup.events: %s", r, readFile(filepath.Join(cg, "cgroup.events")))
		}
	})
	if r := e.burrow("kill", "fg"); r.code != 0 {
		t.Errorf("kill: %s", r)
	}
	if code := fg.exited(t); code != 137 {
		t.Errorf("after kill the foreground burrow exited %d, want 137; it printed %q", code, fg.out.String())
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}} {{.State}} {{.ExitCode}}"); out != "fg exited 137\n" {
		t.Errorf("ps -a after kill: %q", out)
	}
	leftAfter(t, e, "kill", id, procs, mounts, cgroup, false)
	e.ok("rm", "fg")

	fg = startForeground(t, e, "fg")
	id, procs, cgroup = fg.parts(t, e)
	start := time.Now()
	if r := e.burrow("stop", "-t", "1", "fg"); r.code != 0 {
		t.Errorf("stop: %s", r)
	}
	if took := time.Since(start); took > 15*time.Second {
		t.Errorf("stop -t 1 took %v", took)
	}
	if code := fg.exited(t); code != 137 {
		t.Errorf("after stop the foreground burrow exited %d, want 137 (SIGKILL after -t); it printed %q", code, fg.out.String())
	}
	if out := e.ok("ps", "-a", "--format", "{{.Names}} {{.State}} {{.ExitCode}}"); out != "fg exited 137\n" {
		t.Errorf("ps -a after stop: %q", out)
	}
	leftAfter(t, e, "stop", id, procs, mounts, cgroup, false)
	e.ok("rm", "fg")

	fg = startForeground(t, e, "fg")
	id, procs, cgroup = fg.parts(t, e)
	if r := e.burrow("rm", "-f", "fg"); r.code != 0 {
		t.Errorf("rm -f: %s", r)
	}
	if code := fg.exited(t); code != 137 {
		t.Errorf("after rm -f the foreground burrow exited %d, want 137; it printed %q", code, fg.out.String())
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("ps -a after rm -f: %q", out)
	}
	leftAfter(t, e, "rm -f", id, procs, mounts, cgroup, true)
}

// TestRmForceAsSoonAsListed: `rm -f` of a foreground container the moment
// `ps -q` first lists it, before its PID 1 may be on record. It used to
// send no signal then and fail after 30 s with "did not stop" while the
// container went on running (1 in 10 to 30 tries).
func TestRmForceAsSoonAsListed(t *testing.T) {
	e := detachedEnv(t)
	for i := 0; i < 25; i++ {
		cmd := exec.Command(burrowBin, "run", "--rm", busyboxImage, "sleep", "1000")
		cmd.Env = e.vars
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var id string
		if !waitFor(20*time.Second, func() bool { id = strings.TrimSpace(e.ok("ps", "-q")); return id != "" }) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("try %d: the container never showed in ps", i)
		}
		start := time.Now()
		r := e.burrow("rm", "-f", id)
		took := time.Since(start)
		if r.code != 0 {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			e.burrow("rm", "-f", id)
			t.Fatalf("try %d: rm -f right after ps listed it: %s (after %v)", i, r, took)
		}
		_ = cmd.Wait()
		if out := e.ok("ps", "-aq"); out != "" {
			t.Fatalf("try %d: rm -f left %q", i, out)
		}
	}
}
