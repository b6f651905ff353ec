package tests

import (
	"strings"
	"testing"
	"time"
)

// TestAPINetworks: the docker CLI's network verbs over burrow's
// user-defined networks: ls (bridge is always there), create, inspect,
// containers that find each other by alias, connect, disconnect, rm (refused
// while in use), prune, and an unknown network's 404.
func TestAPINetworks(t *testing.T) {
	requireClient(t, "docker", "--version")
	a := startService(t)
	if r := a.docker("network", "ls", "--format", "{{.Name}} {{.Driver}}"); r.code != 0 || !strings.Contains(r.stdout, "bridge bridge") {
		t.Fatalf("docker network ls: %s", r)
	}
	if r := a.docker("network", "create", "--subnet", "10.123.0.0/24", "--label", "team=api", "appnet"); r.code != 0 || len(strings.TrimSpace(r.stdout)) != 64 {
		t.Fatalf("docker network create: %s", r)
	}
	if r := a.docker("network", "inspect", "-f", "{{.Name}} {{.Driver}} {{(index .IPAM.Config 0).Subnet}} {{.Labels.team}}", "appnet"); strings.TrimSpace(r.stdout) != "appnet bridge 10.123.0.0/24 api" {
		t.Errorf("docker network inspect: %s", r)
	}
	if r := a.docker("network", "create", "appnet"); r.code == 0 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("a second appnet: %s", r)
	}
	if r := a.docker("run", "-d", "--name", "srv", "--network", "appnet", "--network-alias", "web", busyboxImage, "sh", "-c", httpdScript); r.code != 0 {
		t.Fatalf("docker run --network appnet: %s", r)
	}
	var r result
	if !waitFor(20*time.Second, func() bool {
		r = a.docker("run", "--rm", "--network", "appnet", busyboxImage, "wget", "-qO-", "http://web/")
		return strings.HasPrefix(r.stdout, "served-by-")
	}) {
		t.Errorf("a container on appnet reaching web: %s", r)
	}
	if r := a.docker("network", "inspect", "-f", "{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}", "appnet"); !strings.HasPrefix(r.stdout, "srv 10.123.0.") {
		t.Errorf("members of appnet: %s", r)
	}
	a.docker("network", "create", "other")
	if r := a.docker("network", "connect", "--alias", "also", "other", "srv"); r.code != 0 {
		t.Errorf("docker network connect: %s", r)
	}
	nets := "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}"
	if r := a.docker("inspect", "-f", nets, "srv"); !strings.Contains(r.stdout, "appnet=10.123.0.") || !strings.Contains(r.stdout, "other=") {
		t.Errorf("docker inspect after connect: %s", r)
	}
	if r := a.docker("network", "disconnect", "other", "srv"); r.code != 0 {
		t.Errorf("docker network disconnect: %s", r)
	}
	if r := a.docker("inspect", "-f", nets, "srv"); strings.Contains(r.stdout, "other=") {
		t.Errorf("docker inspect after disconnect: %s", r)
	}
	// A created container is connected in its record and joins at start.
	a.dockerOK("create", "--name", "late", "--network", "appnet", busyboxImage, "sleep", "7351")
	if r := a.docker("network", "connect", "other", "late"); r.code != 0 {
		t.Errorf("docker network connect of a created container: %s", r)
	}
	if r := a.docker("inspect", "-f", nets, "late"); !strings.Contains(r.stdout, "other=") {
		t.Errorf("docker inspect of a created container after connect: %s", r)
	}
	a.dockerOK("start", "late")
	if r := a.docker("exec", "late", "ip", "-o", "-4", "addr"); !strings.Contains(r.stdout, "eth0") || !strings.Contains(r.stdout, "eth1") {
		t.Errorf("connected while created, after start: not on both networks: %s", r)
	}
	if r := a.docker("inspect", "-f", nets, "late"); !strings.Contains(r.stdout, "appnet=10.123.0.") || strings.Contains(r.stdout, "other= ") {
		t.Errorf("docker inspect of the started container: %s", r)
	}
	a.dockerOK("rm", "-f", "late")
	if r := a.docker("network", "rm", "appnet"); r.code == 0 || !strings.Contains(r.stderr, "srv") {
		t.Errorf("docker network rm of a network in use: %s", r)
	}
	a.docker("rm", "-f", "srv")
	if r := a.docker("network", "rm", "appnet"); r.code != 0 {
		t.Errorf("docker network rm: %s", r)
	}
	if r := a.docker("network", "prune", "-f"); r.code != 0 || !strings.Contains(r.stdout, "other") {
		t.Errorf("docker network prune: %s", r)
	}
	if r := a.docker("network", "ls", "-q", "--filter", "name=other"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("pruned network listed: %s", r)
	}
	if r := a.docker("network", "inspect", "nosuch"); r.code == 0 || !strings.Contains(r.stderr, "no such network") {
		t.Errorf("docker network inspect nosuch: %s", r)
	}
	if r := a.docker("network", "create", "-d", "macvlan", "mv"); r.code == 0 || !strings.Contains(r.stderr, "macvlan") {
		t.Errorf("a macvlan network: %s", r)
	}
}
