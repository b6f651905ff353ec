package tests

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAPIBuild: docker build (the classic builder's POST /build with a tar
// context) and the Python SDK's images.build run burrow's build: COPY from
// the context, RUN with a build argument, a named Dockerfile, and a failing
// step reported in the stream.
func TestAPIBuild(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	ctx := filepath.Join(a.dir, "ctx")
	files := map[string]string{
		"greeting.txt": "from the context\n",
		"Dockerfile": "FROM busybox\nARG MSG\nCOPY greeting.txt /greeting.txt\nRUN echo \"$MSG from run\" > /run.txt\n" +
			"CMD [\"sh\", \"-c\", \"cat /greeting.txt /run.txt\"]\n",
		"Broken.Dockerfile": "FROM busybox\nRUN echo about-to-fail; exit 7\n",
	}
	if err := os.MkdirAll(ctx, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(ctx, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Without the buildx plugin, as here, the docker CLI builds with the
	// classic builder's POST /build (with it, DOCKER_BUILDKIT=0 does).
	if r := a.docker("build", "-t", "apibuilt:1", "--build-arg", "MSG=hello", ctx); r.code != 0 || !strings.Contains(r.stdout, "Successfully tagged apibuilt:1") {
		t.Fatalf("docker build: %s", r)
	}
	if r := a.docker("run", "--rm", "apibuilt:1"); r.stdout != "from the context\nhello from run\n" {
		t.Errorf("running the built image: %s", r)
	}
	r := a.docker("build", "-f", filepath.Join(ctx, "Broken.Dockerfile"), ctx)
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "about-to-fail") || !strings.Contains(r.stderr, "7") {
		t.Errorf("docker build of a failing step: %s", r)
	}
	const python = "/usr/bin/python3"
	requireClient(t, python, "-c", "import docker")
	script := fmt.Sprintf(`
import docker
c = docker.DockerClient(base_url="unix://%s")
img, logs = c.images.build(path=%q, tag="pybuilt:2", buildargs={"MSG": "py"})
print(img.tags)
print(c.containers.run("pybuilt:2", remove=True).decode(), end="")
`, a.sock, ctx)
	if r := a.client(script, python, "-"); r.code != 0 || r.stdout != "['localhost/pybuilt:2']\nfrom the context\npy from run\n" {
		t.Errorf("python SDK images.build: %s", r)
	}
}
