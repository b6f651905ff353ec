package tests

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// apiEnv is a test env with `burrow system service` answering on a socket
// of its own; client runs a real client (docker CLI, python3) against it.
type apiEnv struct {
	*env
	sock string
}

func startService(t *testing.T) *apiEnv {
	t.Helper()
	e := detachedEnv(t)
	sock := filepath.Join(e.dir, "run", "api.sock")
	cmd := exec.Command(burrowBin, "system", "service", "--time", "0", "unix://"+sock)
	cmd.Env = e.vars
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("service output:\n%s", logs.String())
		}
	})
	if !waitFor(20*time.Second, func() bool {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
		}
		return err == nil
	}) {
		t.Fatalf("the service never answered on %s:\n%s", sock, logs.String())
	}
	if fi, err := os.Stat(sock); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v (%v), want 0600", fi.Mode(), err)
	}
	return &apiEnv{env: e, sock: sock}
}

func (a *apiEnv) client(stdin string, name string, args ...string) result {
	a.t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(append([]string{}, a.vars...), "DOCKER_HOST=unix://"+a.sock, "DOCKER_CONFIG="+filepath.Join(a.dir, "docker-config"))
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		r.code = exitErr.ExitCode()
	} else if err != nil {
		a.t.Fatalf("%s: %v", name, err)
	}
	return r
}

func (a *apiEnv) docker(args ...string) result {
	a.t.Helper()
	return a.client("", "docker", args...)
}

func requireClient(t *testing.T, name string, args ...string) {
	t.Helper()
	if err := exec.Command(name, args...).Run(); err != nil {
		t.Skipf("%s is not usable here (tests/setup installs it): %v", name, err)
	}
}

// TestAPIDockerCLI: Docker's own CLI, unchanged, runs, lists, logs,
// inspects, stops and removes containers through burrow's socket, with
// exit codes and output streams kept apart.
func TestAPIDockerCLI(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	if r := a.docker("version", "--format", "{{.Server.APIVersion}}"); r.code != 0 || strings.TrimSpace(r.stdout) != "1.44" {
		t.Fatalf("docker version: %s", r)
	}
	r := a.docker("run", "--rm", busyboxImage, "sh", "-c", "echo to-out; echo to-err >&2; exit 3")
	if r.code != 3 || r.stdout != "to-out\n" || !strings.Contains(r.stderr, "to-err") {
		t.Errorf("docker run --rm: %s", r)
	}
	// A command that fails at once is removed before the client's wait
	// sees it run: its code must come through all the same.
	for i := 0; i < 5; i++ {
		if r := a.docker("run", "--rm", busyboxImage, "false"); r.code != 1 {
			t.Errorf("docker run --rm IMG false, try %d: %s; want exit 1", i, r)
		}
	}
	if out := a.ok("ps", "-aq"); out != "" {
		t.Errorf("--rm left a container: %q", out)
	}
	r = a.docker("run", "-d", "--name", "web", "-l", "app=demo", busyboxImage, "sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 0.1; done")
	if r.code != 0 || len(strings.TrimSpace(r.stdout)) != 64 {
		t.Fatalf("docker run -d: %s", r)
	}
	if r := a.docker("ps", "--filter", "label=app=demo", "--format", "{{.Names}} {{.State}}"); strings.TrimSpace(r.stdout) != "web running" {
		t.Errorf("docker ps: %s", r)
	}
	if out := a.ok("ps", "--format", "{{.Names}}"); strings.TrimSpace(out) != "web" {
		t.Errorf("burrow ps does not see the API's container: %q", out)
	}
	if !waitFor(10*time.Second, func() bool { return a.docker("logs", "web").stdout == "started\n" }) {
		t.Errorf("docker logs: %s", a.docker("logs", "web"))
	}
	if r := a.docker("inspect", "-f", "{{.State.Status}} {{.Name}}", "web"); strings.TrimSpace(r.stdout) != "running /web" {
		t.Errorf("docker inspect: %s", r)
	}
	if r := a.docker("stop", "web"); r.code != 0 {
		t.Errorf("docker stop: %s", r)
	}
	if r := a.docker("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "web"); strings.TrimSpace(r.stdout) != "exited 0" {
		t.Errorf("after stop: %s", r)
	}
	if r := a.docker("rm", "web"); r.code != 0 {
		t.Errorf("docker rm: %s", r)
	}
	if r := a.docker("inspect", "web"); r.code == 0 || !strings.Contains(strings.ToLower(r.stderr), "no such") {
		t.Errorf("inspect of a removed container: %s", r)
	}
	if r := a.docker("run", "--rm", "no-such-image-here:1"); r.code == 0 {
		t.Errorf("a missing image ran: %s", r)
	}
}

// TestAPIPythonSDK: the docker Python SDK runs a container and reads its
// output, lists images and containers.
func TestAPIPythonSDK(t *testing.T) {
	// Debian's python3-docker is the system Python's (tests/setup).
	const python = "/usr/bin/python3"
	requireClient(t, python, "-c", "import docker")
	a := startService(t)
	script := fmt.Sprintf(`
import docker
c = docker.DockerClient(base_url="unix://%s")
print(c.containers.run(%q, "echo hi-from-python", remove=True).decode().strip())
print(sorted(t for i in c.images.list() for t in i.tags))
ctr = c.containers.run(%q, "sleep 1000", detach=True, name="py")
print([x.name for x in c.containers.list()])
ctr.stop(timeout=1)
ctr.remove()
print(len(c.containers.list(all=True)))
`, a.sock, busyboxImage, busyboxImage)
	r := a.client(script, python, "-")
	want := "hi-from-python\n['localhost/busybox:latest']\n['py']\n0\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("python SDK:\n%s\nwant stdout %q", r, want)
	}
}

// TestAPIBadRequests: the API refuses what it cannot serve with docker's
// error shape and status, and creates nothing.
func TestAPIBadRequests(t *testing.T) {
	a := startService(t)
	get := func(method, path, body string) (int, string) {
		conn, err := net.Dial("unix", a.sock)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", method, path, len(body), body)
		_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(conn)
		head, rest, _ := strings.Cut(buf.String(), "\r\n\r\n")
		var code int
		fmt.Sscanf(head, "HTTP/1.1 %d", &code)
		return code, rest
	}
	cases := []struct {
		method, path, body string
		status             int
	}{
		{"GET", "/v1.99/_ping", "", 400},
		{"POST", "/v1.44/containers/create", `{"Image":`, 400},
		{"POST", "/v1.44/containers/create", `{"Image":"busybox","HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}`, 400},
		{"POST", "/v1.44/containers/create?name=-bad", `{"Image":"busybox"}`, 400},
		{"POST", "/v1.44/containers/create", `{"Image":"nosuchimage"}`, 404},
		{"GET", "/v1.44/containers/nosuch/json", "", 404},
		{"DELETE", "/v1.44/images/nosuch", "", 404},
	}
	for _, c := range cases {
		status, body := get(c.method, c.path, c.body)
		if status != c.status || !strings.Contains(body, `"message"`) {
			t.Errorf("%s %s %s: %d %q, want %d with a message", c.method, c.path, c.body, status, body, c.status)
		}
	}
	if out := a.ok("ps", "-aq"); out != "" {
		t.Errorf("refused requests left containers: %q", out)
	}
}

// TestAPIDockerExecCpImages: docker exec (stdin, exit code, stderr apart),
// docker cp both ways, save and load, events as they happen, and stats.
func TestAPIDockerExecCpImages(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	events := exec.Command("docker", "events", "--filter", "type=container", "--format", "{{.Action}} {{.Actor.Attributes.name}}")
	events.Env = append(append([]string{}, a.vars...), "DOCKER_HOST=unix://"+a.sock, "DOCKER_CONFIG="+filepath.Join(a.dir, "docker-config"))
	var evOut syncBuffer
	events.Stdout = &evOut
	if err := events.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = events.Process.Kill(); _ = events.Wait() }()
	time.Sleep(500 * time.Millisecond)

	if r := a.docker("run", "-d", "--name", "box", busyboxImage, "sleep", "1000"); r.code != 0 {
		t.Fatalf("run -d: %s", r)
	}
	r := a.client("piped-in\n", "docker", "exec", "-i", "box", "sh", "-c", "cat; echo to-err >&2; exit 5")
	if r.code != 5 || r.stdout != "piped-in\n" || !strings.Contains(r.stderr, "to-err") {
		t.Errorf("docker exec -i: %s", r)
	}
	if r := a.docker("exec", "nosuch", "true"); r.code == 0 {
		t.Errorf("exec in a missing container: %s", r)
	}
	// A command that cannot run is an error with its reason, not exit 0
	// with no output (which let tests calling a missing applet pass).
	if r := a.docker("exec", "box", "no-such-command"); r.code != 127 || !strings.Contains(r.stderr, "executable file not found") {
		t.Errorf("docker exec of a missing command: %s; want exit 127 and the reason", r)
	}
	if r := a.docker("exec", "-t", "box", "/no/such"); r.code != 127 || !strings.Contains(r.stdout+r.stderr, "no such file or directory") {
		t.Errorf("docker exec -t of a missing path: %s; want exit 127 and the reason", r)
	}

	src := filepath.Join(a.dir, "tree")
	if err := os.MkdirAll(filepath.Join(src, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "sub", "f"), []byte("copied-in"), 0o640); err != nil {
		t.Fatal(err)
	}
	if r := a.docker("cp", src, "box:/tmp/"); r.code != 0 {
		t.Fatalf("docker cp in: %s", r)
	}
	if r := a.docker("exec", "box", "stat", "-c", "%a %s", "/tmp/tree/sub/f"); strings.TrimSpace(r.stdout) != "640 9" {
		t.Errorf("copied in: %s", r)
	}
	out := filepath.Join(a.dir, "out")
	if r := a.docker("cp", "box:/tmp/tree", out); r.code != 0 {
		t.Fatalf("docker cp out: %s", r)
	}
	if data, err := os.ReadFile(filepath.Join(out, "sub", "f")); err != nil || string(data) != "copied-in" {
		t.Errorf("copied out: %q %v", data, err)
	}
	if r := a.docker("cp", "box:/no/such", out); r.code == 0 || !strings.Contains(r.stderr, "could not be found") {
		t.Errorf("cp of a missing path: %s", r)
	}

	archive := filepath.Join(a.dir, "img.tar")
	if r := a.docker("save", "-o", archive, busyboxImage); r.code != 0 {
		t.Fatalf("docker save: %s", r)
	}
	if r := a.docker("tag", busyboxImage, "copy:1"); r.code != 0 {
		t.Fatalf("docker tag: %s", r)
	}
	if r := a.docker("rmi", "copy:1"); r.code != 0 || !strings.Contains(r.stdout, "Untagged") {
		t.Errorf("docker rmi: %s", r)
	}
	if r := a.docker("load", "-i", archive); r.code != 0 || !strings.Contains(r.stdout, "Loaded image") {
		t.Errorf("docker load: %s", r)
	}

	if r := a.docker("rm", "-f", "box"); r.code != 0 {
		t.Errorf("rm -f: %s", r)
	}
	want := []string{"create box", "start box", "die box", "destroy box"}
	waitFor(5*time.Second, func() bool { return strings.Count(evOut.String(), "\n") >= len(want) })
	if got := strings.Split(strings.TrimSpace(evOut.String()), "\n"); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("docker events: %q, want %q", evOut.String(), want)
	}
}

// TestAPISocketActivation: started by systemd's socket-activation
// protocol (systemd-socket-activate speaks it as the user manager does),
// the service answers on the socket it was given and exits once idle for
// --time seconds; the units make install puts in place name that binary.
func TestAPISocketActivation(t *testing.T) {
	requireClient(t, "systemd-socket-activate", "--version")
	e := detachedEnv(t)
	sock := filepath.Join(e.dir, "run", "act.sock")
	// systemd-socket-activate hands its child only what -E names: without
	// these the service would use the user's own directories and leave
	// its namespace holder there.
	args := []string{"-l", sock}
	for _, v := range e.vars {
		args = append(args, "-E", v)
	}
	cmd := exec.Command("systemd-socket-activate", append(args, burrowBin, "system", "service", "--time", "2")...)
	cmd.Env = e.vars
	var logs syncBuffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	a := &apiEnv{env: e, sock: sock}
	if !waitFor(10*time.Second, func() bool { _, err := os.Stat(sock); return err == nil }) {
		t.Fatalf("no socket: %s", logs.String())
	}
	r := a.client("", "curl", "-s", "-m", "10", "--unix-socket", sock, "http://d/_ping")
	if r.code != 0 || r.stdout != "OK" {
		t.Fatalf("ping through the activated socket: %s\n%s", r, logs.String())
	}
	// The service (a child of systemd-socket-activate) goes once idle.
	marker := "system service --time 2"
	if !waitFor(15*time.Second, func() bool { return len(processesContaining(marker)) == 0 }) {
		t.Errorf("the service did not exit after 2 idle seconds: %v\n%s", processesContaining(marker), logs.String())
	}
}

// TestAPISocketInUse: a second service on a live socket refuses to start
// and leaves the first answering; a stale socket file is taken over.
func TestAPISocketInUse(t *testing.T) {
	a := startService(t)
	r := a.burrow("system", "service", "--time", "0", "unix://"+a.sock)
	if r.code != 125 || !strings.Contains(r.stderr, "another service answers") {
		t.Errorf("second service: %s", r)
	}
	if r := a.client("", "curl", "-s", "--unix-socket", a.sock, "http://d/_ping"); r.stdout != "OK" {
		t.Errorf("the first service stopped answering: %s", r)
	}
	stale := filepath.Join(a.dir, "run", "stale.sock")
	l, err := net.Listen("unix", stale)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	cmd := exec.Command(burrowBin, "system", "service", "--time", "0", "unix://"+stale)
	cmd.Env = a.vars
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	if !waitFor(10*time.Second, func() bool {
		return a.client("", "curl", "-s", "--unix-socket", stale, "http://d/_ping").stdout == "OK"
	}) {
		t.Errorf("a stale socket file was not taken over")
	}
}

// TestAPIStreamsDoNotLeak: 1,000 requests, a third of them log streams
// the client drops midway, leave the service with the descriptors and
// threads it had, and the container running. Memory is logged.
func TestAPIStreamsDoNotLeak(t *testing.T) {
	a := startService(t)
	if r := a.burrow("run", "-d", "--name", "talker", busyboxImage, "sh", "-c", "while true; do echo line; sleep 0.05; done"); r.code != 0 {
		t.Fatal(r)
	}
	pid := servicePID(t, a.sock)
	count := func() (fds, threads int) {
		ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		return len(ents), len(tasks)
	}
	request := func(path string, dropAfter int) {
		conn, err := net.Dial("unix", a.sock)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: d\r\n\r\n", path)
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, dropAfter)
		_, _ = io.ReadFull(conn, buf)
	}
	request("/_ping", 100)
	time.Sleep(500 * time.Millisecond)
	fds0, threads0 := count()
	t.Logf("idle: %s", memoryOf(pid))
	for i := 0; i < 1000; i++ {
		switch i % 3 {
		case 0:
			request("/v1.44/containers/talker/logs?stdout=1&follow=1", 64)
		case 1:
			request("/v1.44/containers/json", 20)
		default:
			request("/_ping", 20)
		}
	}
	var fds, threads int
	ok := waitFor(10*time.Second, func() bool { fds, threads = count(); return fds <= fds0+2 && threads <= threads0+4 })
	t.Logf("after 1000 requests: %s; fds %d -> %d, threads %d -> %d", memoryOf(pid), fds0, fds, threads0, threads)
	if !ok {
		t.Errorf("leak: descriptors %d -> %d, threads %d -> %d", fds0, fds, threads0, threads)
	}
	if out := a.ok("ps", "--format", "{{.Names}}"); strings.TrimSpace(out) != "talker" {
		t.Errorf("the container did not survive dropped streams: %q", out)
	}
}

// servicePID finds the service answering on sock.
func servicePID(t *testing.T, sock string) int {
	t.Helper()
	for _, pid := range processesContaining("system service --time 0 unix://" + sock) {
		return pid
	}
	t.Fatalf("no service process for %s", sock)
	return 0
}

// memoryOf reports RSS and PSS from /proc/PID/smaps_rollup.
func memoryOf(pid int) string {
	var out []string
	for _, line := range strings.Split(readFile(fmt.Sprintf("/proc/%d/smaps_rollup", pid)), "\n") {
		if strings.HasPrefix(line, "Rss:") || strings.HasPrefix(line, "Pss:") {
			out = append(out, strings.Join(strings.Fields(line), " "))
		}
	}
	return strings.Join(out, ", ")
}

// processesContaining lists processes whose command line contains s.
func processesContaining(s string) []int {
	return procsMatching(func(pid string) bool {
		cmdline, err := os.ReadFile(filepath.Join("/proc", pid, "cmdline"))
		return err == nil && strings.Contains(strings.ReplaceAll(string(cmdline), "\x00", " "), s)
	})
}

// TestAPIHealthcheck: a healthcheck given through the API runs, and
// docker's inspect and ps filter see its status (compose's depends_on
// service_healthy reads the same).
func TestAPIHealthcheck(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	if r := a.docker("run", "-d", "--name", "svc", "--health-cmd", "true", "--health-interval", "1s", busyboxImage, "sleep", "1000"); r.code != 0 {
		t.Fatal(r)
	}
	if !waitFor(15*time.Second, func() bool {
		return strings.TrimSpace(a.docker("inspect", "-f", "{{.State.Health.Status}}", "svc").stdout) == "healthy"
	}) {
		t.Errorf("never healthy: %s", a.docker("inspect", "svc"))
	}
	if r := a.docker("ps", "--filter", "health=healthy", "--format", "{{.Names}}"); strings.TrimSpace(r.stdout) != "svc" {
		t.Errorf("ps --filter health=healthy: %s", r)
	}
}
