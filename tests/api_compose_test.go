package tests

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// composeFile: an HTTP server with a healthcheck and a client that starts
// once it is healthy and reaches it by its service name on the project's
// network.
const composeFile = `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www; echo served-by-web > /www/index.html; exec httpd -f -p 80 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-qO-", "http://127.0.0.1/"]
      interval: 1s
      retries: 20
    stop_grace_period: 1s
  client:
    image: busybox
    command: ["sh", "-c", "while true; do wget -qO- http://web/ && echo client-got-it; sleep 1; done"]
    stop_grace_period: 1s
    depends_on:
      web:
        condition: service_healthy
`

// TestAPICompose: Debian's docker-compose 1.29 brings a two-service
// project up (network, healthcheck, name resolution), lists it, shows its
// logs, runs exec in it, and takes it down leaving nothing.
func TestAPICompose(t *testing.T) {
	requireClient(t, "docker-compose", "version")
	a := startService(t)
	dir := filepath.Join(a.dir, "project")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(composeFile), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := func(args ...string) result {
		t.Helper()
		return a.client("", "docker-compose", append([]string{"--ansi", "never", "-p", "apitest", "-f", filepath.Join(dir, "docker-compose.yml")}, args...)...)
	}
	if r := compose("up", "-d"); r.code != 0 {
		t.Fatalf("docker-compose up -d: %s", r)
	}
	r := compose("ps")
	if r.code != 0 || !strings.Contains(r.stdout, "apitest_web_1") || !strings.Contains(r.stdout, "apitest_client_1") || strings.Count(r.stdout, "Up") != 2 {
		t.Errorf("docker-compose ps: %s", r)
	}
	if !strings.Contains(r.stdout, "(healthy)") {
		t.Errorf("docker-compose ps shows no healthy web: %s", r)
	}
	if !waitFor(30*time.Second, func() bool { return strings.Contains(compose("logs", "client").stdout, "client-got-it") }) {
		t.Errorf("docker-compose logs client: %s", compose("logs", "client"))
	}
	if r := compose("exec", "-T", "web", "cat", "/www/index.html"); r.code != 0 || strings.TrimSpace(r.stdout) != "served-by-web" {
		t.Errorf("docker-compose exec: %s", r)
	}
	if r := compose("down"); r.code != 0 {
		t.Errorf("docker-compose down: %s", r)
	}
	if r := a.docker("ps", "-aq"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("containers left after down: %s", r)
	}
	if r := a.docker("network", "ls", "--format", "{{.Name}}"); strings.Contains(r.stdout, "apitest") {
		t.Errorf("network left after down: %s", r)
	}
}
