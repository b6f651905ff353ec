package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// offStartPath are packages whose initialisation burrow's start-up must
// not pay: the registry client's reference grammar, the API server and
// its types (burrow-build's), the markdown parser of man page generation.
var offStartPath = []string{
	"github.com/distribution/reference ", "github.com/burrow/burrow/dockerapi ", "github.com/moby/moby/api",
	"github.com/russross/blackfriday",
}

// offInitPath are packages that burrow-init (every container's init and
// exec helper) must not initialise: the bridge backend and the netns
// holder's DNS responder (burrow's), and the image and storage libraries.
var offInitPath = append([]string{"github.com/vishvananda/netlink ", "github.com/google/nftables ", "github.com/burrow/burrow/bridge ",
	"github.com/miekg/dns ", "go.podman.io/"}, offStartPath...)

// initTrace is what GODEBUG=inittrace=1 shows of bin with args (the Go
// runtime prints it before main, whatever main then does).
func initTrace(t *testing.T, e *env, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(e.vars[:len(e.vars):len(e.vars)], "GODEBUG=inittrace=1")
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "init runtime @") {
		t.Fatalf("%s %v with inittrace printed no trace:\n%s", bin, args, out)
	}
	return string(out)
}

func assertNotInitialised(t *testing.T, what, trace string, pkgs []string) {
	t.Helper()
	for _, pkg := range pkgs {
		if strings.Contains(trace, "init "+pkg) {
			t.Errorf("%s initialises %s", what, strings.TrimSpace(pkg))
		}
	}
}

// TestStartPathInits: `burrow --version` and `burrow run` initialise no
// registry client, API server or bridge DNS (those are burrow-build's and
// the netns holder's), and burrow-init initialises none of the bridge
// backend; a run still pulls a missing image (burrow-build does it).
func TestStartPathInits(t *testing.T) {
	e := busyboxEnv(t)
	assertNotInitialised(t, "burrow --version", initTrace(t, e, burrowBin, "--version"), offStartPath)
	assertNotInitialised(t, "burrow run", initTrace(t, e, burrowBin, "run", "--rm", "--network", "none", busyboxImage, "true"), offStartPath)
	// The reaper verb without a command fails at once, after the inits.
	initBin := filepath.Join(filepath.Dir(burrowBin), "burrow-init")
	assertNotInitialised(t, "burrow-init", initTrace(t, e, initBin, "__reap"), offInitPath)
}

// monitorExe is the binary of the monitor of a running detached container
// (its init's parent).
func monitorExe(t *testing.T, e *env, name string) string {
	t.Helper()
	pid := strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Pid}}", name))
	data, err := os.ReadFile("/proc/" + pid + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+1:]))
	ppid, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Readlink("/proc/" + strconv.Itoa(ppid) + "/exe")
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// TestStartPathMonitor: a detached container on no user-defined network
// is monitored by the small burrow-init; one on a user-defined network by
// burrow, which alone carries the bridge backend, and it is wired (its
// name resolves from another container) and unwired (the holder goes when
// the last container is removed).
func TestStartPathMonitor(t *testing.T) {
	e := bridgeEnv(t)
	e.ok("run", "-d", "--name", "small", "--network", "none", busyboxImage, "sleep", "1000")
	if exe := monitorExe(t, e, "small"); filepath.Base(exe) != "burrow-init" {
		t.Errorf("the monitor of a --network none container is %s, want burrow-init", exe)
	}
	e.ok("network", "create", "slimnet")
	e.ok("run", "-d", "--name", "wired", "--network", "slimnet", busyboxImage, "sleep", "1000")
	if exe := monitorExe(t, e, "wired"); filepath.Base(exe) != "burrow" {
		t.Errorf("the monitor of a container on a user-defined network is %s, want burrow", exe)
	}
	if holder := e.netnsHolder(); holder == 0 {
		t.Error("no rootless netns holder runs")
	} else if exe, err := os.Readlink("/proc/" + strconv.Itoa(holder) + "/exe"); err != nil || filepath.Base(exe) != "burrow" {
		t.Errorf("the rootless netns holder is %s (%v), want burrow", exe, err)
	}
	if out := e.ok("run", "--rm", "--network", "slimnet", busyboxImage, "busybox", "nslookup", "wired"); !strings.Contains(out, "Address") {
		t.Errorf("the name of the container its burrow monitor wired does not resolve: %s", out)
	}
	e.ok("rm", "-f", "wired", "small")
	if !waitFor(10*time.Second, func() bool { return e.netnsHolder() == 0 }) {
		t.Error("the rootless netns holder outlived the last container on the network")
	}
}
