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

// composeNetworksFile: web is on backend only, edge on frontend only, and
// proxy on both. Compose creates proxy on one of its networks and connects
// it to the other between create and start.
const composeNetworksFile = `version: "2.4"
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www-netproj; echo served-by-web > /www-netproj/index.html; exec httpd -f -p 80 -h /www-netproj"]
    networks: [backend]
    stop_grace_period: 1s
  proxy:
    image: busybox
    command: ["sleep", "7341"]
    networks: [frontend, backend]
    stop_grace_period: 1s
  edge:
    image: busybox
    command: ["sleep", "7342"]
    networks: [frontend]
    stop_grace_period: 1s
networks:
  frontend: {}
  backend: {}
`

// TestAPIComposeNetworks: docker-compose 1.29 brings up a project with a
// frontend and a backend network: the service on both resolves and reaches
// the others by name, the ones on one network only do not see each other,
// and down leaves no container, network or process behind.
func TestAPIComposeNetworks(t *testing.T) {
	requireClient(t, "docker-compose", "version")
	requireHelper(t, "pasta")
	a := startService(t)
	dir := filepath.Join(a.dir, "netproj")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte(composeNetworksFile), 0o644); err != nil {
		t.Fatal(err)
	}
	compose := func(args ...string) result {
		t.Helper()
		return a.client("", "docker-compose", append([]string{"--ansi", "never", "-p", "netproj", "-f", filepath.Join(dir, "docker-compose.yml")}, args...)...)
	}
	if r := compose("up", "-d"); r.code != 0 {
		t.Fatalf("docker-compose up -d: %s", r)
	}
	if r := compose("ps"); r.code != 0 || strings.Count(r.stdout, "Up") != 3 {
		t.Errorf("docker-compose ps: %s", r)
	}
	nets := a.dockerOK("inspect", "--format", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", "netproj_proxy_1")
	if f := strings.Fields(nets); len(f) != 2 || !strings.Contains(nets, "netproj_frontend") || !strings.Contains(nets, "netproj_backend") {
		t.Errorf("proxy's networks: %q, want netproj_frontend and netproj_backend", nets)
	}
	// Across the shared network, by service name, both ways.
	if r := compose("exec", "-T", "web", "cat", "/www-netproj/index.html"); r.code != 0 || strings.TrimSpace(r.stdout) != "served-by-web" {
		t.Errorf("docker-compose exec: %s", r)
	}
	if !waitFor(20*time.Second, func() bool {
		return strings.TrimSpace(a.docker("exec", "netproj_proxy_1", "busybox", "timeout", "3", "wget", "-qO-", "http://web/").stdout) == "served-by-web"
	}) {
		t.Errorf("proxy -> web over backend: %s", a.docker("exec", "netproj_proxy_1", "busybox", "timeout", "3", "wget", "-qO-", "http://web/"))
	}
	if r := a.docker("exec", "netproj_edge_1", "busybox", "ping", "-c", "1", "-W", "3", "proxy"); r.code != 0 {
		t.Errorf("edge -> proxy over frontend: %s", r)
	}
	if r := a.docker("exec", "netproj_web_1", "busybox", "ping", "-c", "1", "-W", "3", "proxy"); r.code != 0 {
		t.Errorf("web -> proxy over backend: %s", r)
	}
	// Not shared: neither the name nor the address gets through.
	if r := a.docker("exec", "netproj_edge_1", "busybox", "ping", "-c", "1", "-W", "3", "web"); r.code == 0 || !strings.Contains(r.stderr+r.stdout, "bad address") {
		t.Errorf("edge resolves web, which is only on backend: %s", r)
	}
	webIP := strings.TrimSpace(a.dockerOK("inspect", "--format", "{{(index .NetworkSettings.Networks \"netproj_backend\").IPAddress}}", "netproj_web_1"))
	if webIP == "" {
		t.Errorf("web has no backend address")
	} else if r := a.docker("exec", "netproj_edge_1", "busybox", "timeout", "3", "wget", "-qO-", "http://"+webIP+"/"); r.code == 0 {
		t.Errorf("edge reaches web at %s across networks: %s", webIP, r)
	}
	if r := a.docker("exec", "netproj_web_1", "busybox", "ping", "-c", "1", "-W", "3", "edge"); r.code == 0 || !strings.Contains(r.stderr+r.stdout, "bad address") {
		t.Errorf("web resolves edge, which is only on frontend: %s", r)
	}
	if r := compose("down"); r.code != 0 {
		t.Errorf("docker-compose down: %s", r)
	}
	if r := a.docker("ps", "-aq"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("containers left after down: %s", r)
	}
	if r := a.docker("network", "ls", "--format", "{{.Name}}"); strings.Contains(r.stdout, "netproj") {
		t.Errorf("networks left after down: %s", r)
	}
	for _, marker := range []string{"sleep 7341", "sleep 7342", "httpd -f -p 80 -h /www-netproj"} {
		if !waitFor(5*time.Second, func() bool { return len(processesWith(marker)) == 0 }) {
			t.Errorf("%q left running after down: %v", marker, processesWith(marker))
		}
	}
	holder := "burrow-netns __netns " + filepath.Join(a.dir, "run", "burrow")
	if !waitFor(5*time.Second, func() bool { return len(processesWith(holder)) == 0 }) {
		t.Errorf("the rootless netns holder is left after down: %v", processesWith(holder))
	}
}
