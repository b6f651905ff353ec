package tests

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func (a *apiEnv) terminal(t *testing.T, rows, cols uint16, args ...string) *terminal {
	vars := append(append([]string{}, a.vars...), "DOCKER_HOST=unix://"+a.sock, "DOCKER_CONFIG="+filepath.Join(a.dir, "docker-config"))
	return startTerminalCmd(t, vars, rows, cols, "docker", args...)
}

// TestAPIAttachStdin: the docker CLI's run -it (stdin and the terminal's
// size through the socket), run -i with piped stdin (its EOF reaches the
// container), exec -it (the exec's terminal sized) and attach to a
// detached shell.
func TestAPIAttachStdin(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)

	term := a.terminal(t, 31, 97, "run", "-it", "--rm", busyboxImage, "sh")
	term.send("stty size; echo calc-$((6*7))\r")
	term.expect("31 97")
	term.expect("calc-42")
	term.send("exit 3\r")
	if code := term.wait(); code != 3 {
		t.Errorf("docker run -it: exit %d, want 3; screen:\n%s", code, term.out.String())
	}

	r := a.client("line one\nline two\n", "docker", "run", "-i", "--rm", busyboxImage, "sh", "-c", "cat; echo after-eof")
	if r.code != 0 || r.stdout != "line one\nline two\nafter-eof\n" {
		t.Errorf("docker run -i with piped stdin: %s", r)
	}

	if r := a.docker("run", "-dit", "--name", "box", busyboxImage, "sh"); r.code != 0 {
		t.Fatalf("docker run -dit: %s", r)
	}
	ex := a.terminal(t, 17, 53, "exec", "-it", "box", "sh", "-c", "sleep 0.5; stty size")
	ex.expect("17 53")
	if code := ex.wait(); code != 0 {
		t.Errorf("docker exec -it: exit %d; screen:\n%s", code, ex.out.String())
	}

	at := a.terminal(t, 24, 80, "attach", "box")
	time.Sleep(500 * time.Millisecond) // the CLI attaches, then reads the terminal
	at.send("echo attached-$((40+2))\r")
	at.expect("attached-42")
	at.send("exit 0\r")
	if code := at.wait(); code != 0 {
		t.Errorf("docker attach: exit %d; screen:\n%s", code, at.out.String())
	}
	if r := a.docker("inspect", "-f", "{{.State.Status}} {{.Config.Tty}} {{.Config.OpenStdin}}", "box"); strings.TrimSpace(r.stdout) != "exited true true" {
		t.Errorf("after exit in attach: %s", r)
	}

	// burrow run -d -i keeps stdin open too: docker attach reaches it.
	a.ok("run", "-d", "-i", "--name", "clicat", busyboxImage, "sh", "-c", "read x; echo cli-$x")
	if r := a.client("hello\n", "docker", "attach", "clicat"); r.code != 0 || r.stdout != "cli-hello\n" {
		t.Errorf("docker attach to burrow run -d -i: %s", r)
	}

	// The Python SDK's attach_socket: stdin in, framed output back.
	const python = "/usr/bin/python3"
	requireClient(t, python, "-c", "import docker")
	script := fmt.Sprintf(`
import docker, socket, struct
c = docker.DockerClient(base_url="unix://%s")
ctr = c.containers.create(%q, ["sh", "-c", "read x; echo got-$x; echo err-$x >&2"], stdin_open=True)
s = ctr.attach_socket(params={"stdin": 1, "stdout": 1, "stderr": 1, "stream": 1})
ctr.start()
s._sock.sendall(b"py\n")
out = {1: b"", 2: b""}
buf = b""
while True:
    chunk = s._sock.recv(4096)
    if not chunk:
        break
    buf += chunk
while len(buf) >= 8:
    stream, n = struct.unpack(">BxxxL", buf[:8])
    out[stream] += buf[8:8 + n]
    buf = buf[8 + n:]
print(out[1].decode().strip(), out[2].decode().strip(), ctr.wait()["StatusCode"])
ctr.remove()
`, a.sock, busyboxImage)
	if r := a.client(script, python, "-"); r.code != 0 || r.stdout != "got-py err-py 0\n" {
		t.Errorf("python SDK attach_socket: %s", r)
	}
}
