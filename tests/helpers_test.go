package tests

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	burrowBin string
	shared    *env // one store with the busybox image, for tests that only read it
)

const busyboxImage = "busybox"

func TestMain(m *testing.M) {
	burrowBin = os.Getenv("BURROW_BIN")
	if burrowBin == "" {
		fmt.Println("BURROW_BIN is not set: run the end-to-end tests with `make e2e`")
		os.Exit(1)
	}
	if os.Getuid() == 0 {
		fmt.Println("end-to-end tests must run as an unprivileged user (make e2e switches to one)")
		os.Exit(1)
	}
	dir, err := os.MkdirTemp("", "burrow-shared-")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	shared = newEnvAt(nil, dir)
	code := func() int {
		defer shared.destroy()
		if err := shared.importBusybox(busyboxImage); err != nil {
			fmt.Println("setting up the shared busybox image:", err)
			return 1
		}
		return m.Run()
	}()
	os.RemoveAll(dir)
	if left := leftovers(); len(left) > 0 {
		fmt.Printf("processes of %s outlived the tests: %s\n", filepath.Dir(burrowBin), strings.Join(left, "; "))
		code = 1
	}
	os.Exit(code)
}

// leftovers lists burrow's processes (holders, monitors, container inits,
// exec helpers) still alive after every test cleaned up, giving them a
// moment to finish exiting. They are found by their executable, not their
// command line: the monitor, init and exec helper rename theirs
// (burrow-monitor, burrow-init, burrow-exec).
func leftovers() []string {
	others := func() []int {
		var pids []int
		for _, pid := range processesRunning(filepath.Dir(burrowBin) + "/") {
			if pid != os.Getpid() { // make e2e runs the test binary from there too
				pids = append(pids, pid)
			}
		}
		return pids
	}
	waitFor(5*time.Second, func() bool { return len(others()) == 0 })
	var left []string
	for _, pid := range others() {
		cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		exe, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
		left = append(left, fmt.Sprintf("%d %s (%s)", pid, strings.ReplaceAll(strings.TrimRight(string(cmdline), "\x00"), "\x00", " "), exe))
	}
	return left
}

// env is an isolated burrow home: its own data and runtime directories,
// hence its own holder and store.
type env struct {
	t          testing.TB
	dir        string
	vars       []string
	holderFile string // where this env's holder records its pid
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	e := newEnvAt(t, dir)
	t.Cleanup(e.destroy)
	return e
}

func newEnvAt(t testing.TB, dir string) *env {
	for _, d := range []string{"data", "run", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			panic(err)
		}
	}
	vars := []string{
		"PATH=" + os.Getenv("PATH"), "USER=" + os.Getenv("USER"), "HOME=" + filepath.Join(dir, "home"),
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"), "XDG_RUNTIME_DIR=" + filepath.Join(dir, "run"),
	}
	// The systemd user manager stays reachable (the cgroup systemd manager).
	if bus := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); bus != "" {
		vars = append(vars, "DBUS_SESSION_BUS_ADDRESS="+bus)
	}
	return &env{t: t, dir: dir, vars: vars, holderFile: filepath.Join(dir, "run", "burrow", "holder.pid")}
}

// destroy removes the store (its files belong to subordinate IDs, so only
// a process in the namespace can) and ends the holder.
func (e *env) destroy() {
	// Containers a test left running would outlive it through their monitors.
	if r, err := e.exec("", "ps", "-q", "--no-trunc"); err == nil && r.stdout != "" {
		_, _ = e.exec("", append([]string{"rm", "-f"}, strings.Fields(r.stdout)...)...)
	}
	_, _ = e.exec("", "unshare", "/bin/rm", "-rf", filepath.Join(e.dir, "data"))
	if pid := e.holderPID(); pid > 0 {
		_ = syscall.Kill(pid, syscall.SIGKILL)
	}
}

func (e *env) holderPID() int {
	return pidFromFile(e.holderFile)
}

// result is what a burrow command did.
type result struct {
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
}

func (e *env) exec(stdin string, args ...string) (result, error) {
	cmd := exec.Command(burrowBin, args...)
	cmd.Env = e.vars
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
		err = nil
	}
	return r, err
}

// burrow runs a command and fails the test if it could not be started.
func (e *env) burrow(args ...string) result {
	e.t.Helper()
	r, err := e.exec("", args...)
	if err != nil {
		e.t.Fatalf("burrow %v: %v", args, err)
	}
	return r
}

// ok runs a command that must succeed and returns its stdout.
func (e *env) ok(args ...string) string {
	e.t.Helper()
	r := e.burrow(args...)
	if r.code != 0 {
		e.t.Fatalf("burrow %s: %s", strings.Join(args, " "), r)
	}
	return r.stdout
}

// forTest points the shared env at the current test for failure reports.
func (e *env) forTest(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

func (e *env) importBusybox(name string) error {
	tarPath := filepath.Join(e.dir, "busybox-rootfs.tar")
	if err := writeRootfsTar(tarPath); err != nil {
		return err
	}
	r, err := e.exec("", "import", "-q", "--change", `CMD ["/bin/sh"]`, tarPath, name)
	if err != nil {
		return err
	}
	if r.code != 0 {
		return fmt.Errorf("burrow import: %s", r)
	}
	return nil
}

// busyboxApplets are linked in the test image.
var busyboxApplets = []string{"sh", "ls", "cat", "echo", "id", "ps", "hostname", "ip", "mount", "touch",
	"sleep", "true", "false", "env", "pwd", "stat", "wc", "grep", "mkdir", "chown", "stty", "tty", "rm", "readlink", "test", "kill", "head", "tail", "tr", "seq", "wget"}

// rootfsEntries is a small root filesystem built from the host's static busybox.
func rootfsEntries() ([]tarEntry, error) {
	bb, err := os.ReadFile("/bin/busybox")
	if err != nil {
		return nil, fmt.Errorf("read the host's busybox (apt-get install busybox-static): %w", err)
	}
	entries := []tarEntry{
		{name: "bin/", mode: 0o755, typ: tar.TypeDir},
		{name: "etc/", mode: 0o755, typ: tar.TypeDir},
		{name: "tmp/", mode: 0o1777, typ: tar.TypeDir},
		{name: "root/", mode: 0o700, typ: tar.TypeDir},
		{name: "home/user/", mode: 0o755, typ: tar.TypeDir, uid: 1000, gid: 1000},
		{name: "bin/busybox", mode: 0o755, body: bb},
		{name: "etc/passwd", mode: 0o644, body: []byte("root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")},
		{name: "etc/group", mode: 0o644, body: []byte("root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n")},
	}
	for _, a := range busyboxApplets {
		entries = append(entries, tarEntry{name: "bin/" + a, typ: tar.TypeSymlink, link: "busybox"})
	}
	return entries, nil
}

type tarEntry struct {
	name     string
	typ      byte
	mode     int64
	body     []byte
	link     string
	uid, gid int
	devmajor int64
}

func tarBytes(entries []tarEntry) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, en := range entries {
		typ := en.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		hdr := &tar.Header{Name: en.name, Typeflag: typ, Mode: en.mode, Linkname: en.link,
			Uid: en.uid, Gid: en.gid, Size: int64(len(en.body)), ModTime: time.Unix(1700000000, 0), Devmajor: en.devmajor}
		if typ != tar.TypeReg {
			hdr.Size = 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return nil, err
		}
		if typ == tar.TypeReg {
			if _, err := tw.Write(en.body); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeRootfsTar(path string) error {
	entries, err := rootfsEntries()
	if err != nil {
		return err
	}
	data, err := tarBytes(entries)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// writeDockerArchive writes a `docker save` archive with the given layers
// (each a tar stream) and tags.
func writeDockerArchive(path string, tags []string, layers ...[]byte) error {
	return writeDockerArchiveConfig(path, tags, map[string]any{"Cmd": []string{"/bin/sh"}, "Env": []string{"PATH=/bin"}}, layers...)
}

// writeDockerArchiveConfig is writeDockerArchive with the image config's
// "config" object given.
func writeDockerArchiveConfig(path string, tags []string, config map[string]any, layers ...[]byte) error {
	var files []tarEntry
	var layerPaths, diffIDs []string
	for _, l := range layers {
		sum := sha256.Sum256(l)
		h := hex.EncodeToString(sum[:])
		files = append(files, tarEntry{name: h + "/layer.tar", mode: 0o644, body: l})
		layerPaths = append(layerPaths, h+"/layer.tar")
		diffIDs = append(diffIDs, "sha256:"+h)
	}
	cfg, _ := json.Marshal(map[string]any{
		"architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
		"config": config,
		"rootfs": map[string]any{"type": "layers", "diff_ids": diffIDs},
	})
	cfgSum := sha256.Sum256(cfg)
	cfgName := hex.EncodeToString(cfgSum[:]) + ".json"
	manifest, _ := json.Marshal([]map[string]any{{"Config": cfgName, "RepoTags": tags, "Layers": layerPaths}})
	files = append(files, tarEntry{name: cfgName, mode: 0o644, body: cfg}, tarEntry{name: "manifest.json", mode: 0o644, body: manifest})
	data, err := tarBytes(files)
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

// busyboxLayer is the test image's root filesystem as one layer.
func busyboxLayer(t *testing.T) []byte {
	t.Helper()
	entries, err := rootfsEntries()
	if err != nil {
		t.Fatal(err)
	}
	data, err := tarBytes(entries)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// holderMounts lists the mount points in the holder's mount namespace.
func (e *env) holderMounts(t *testing.T) string {
	t.Helper()
	pid := e.holderPID()
	if pid == 0 {
		t.Fatal("no holder recorded")
	}
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/mountinfo", pid))
	if err != nil {
		t.Fatalf("read holder mounts: %v", err)
	}
	return string(data)
}

// processesWith lists pids of processes whose command line starts with marker.
func processesWith(marker string) []int {
	return procsMatching(func(pid string) bool {
		cmdline, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		return err == nil && strings.HasPrefix(strings.ReplaceAll(string(cmdline), "\x00", " "), marker)
	})
}

// processesRunning lists pids of processes whose executable lies under dir.
// A binary removed while it runs reads as "PATH (deleted)": still a prefix.
func processesRunning(dir string) []int {
	return procsMatching(func(pid string) bool {
		exe, err := os.Readlink(filepath.Join("/proc", pid, "exe"))
		return err == nil && strings.HasPrefix(exe, dir)
	})
}

func procsMatching(match func(pid string) bool) []int {
	var pids []int
	entries, err := os.ReadDir("/proc")
	if err != nil {
		panic(fmt.Sprintf("listing processes: %v", err))
	}
	for _, en := range entries {
		pid, err := strconv.Atoi(en.Name())
		if err != nil {
			continue
		}
		if match(en.Name()) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// skipIsFatal: in a pass run for the sake of this test (make e2e's
// burrownosub pass sets BURROW_SKIP_FATAL=1), skipping it would leave the
// pass green having shown nothing, so a skip fails instead.
func skipIsFatal(t *testing.T) {
	if os.Getenv("BURROW_SKIP_FATAL") != "1" {
		return
	}
	t.Cleanup(func() {
		if t.Skipped() {
			t.Error("BURROW_SKIP_FATAL=1: this pass exists to run this test, and it skipped")
		}
	})
}

// listDir lists dir, empty when it does not exist; any other error fails
// the test rather than reading as "nothing there".
func listDir(t testing.TB, dir string) []os.DirEntry {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("listing %s: %v", dir, err)
	}
	return entries
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

var _ = io.EOF

func itoa(n int) string { return strconv.Itoa(n) }

func pidFromFile(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) == 0 {
		return 0
	}
	pid, _ := strconv.Atoi(f[0])
	return pid
}

// killAndWait ends a process that is not our child and waits until it is gone.
func killAndWait(pid int) error {
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		return err
	}
	if !waitFor(5*time.Second, func() bool { return syscall.Kill(pid, 0) != nil }) {
		return fmt.Errorf("process %d still alive", pid)
	}
	return nil
}

// syncBuffer collects a running process's output for polling.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
