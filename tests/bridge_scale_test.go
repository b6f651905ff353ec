package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// endpointReads runs rm -f of n containers on one bridge network and
// counts the opens of endpoint files by rm and by the containers'
// monitors (and the commands they run), traced with strace.
func endpointReads(t *testing.T, e *env, strace string, n int) int {
	t.Helper()
	var ids []string
	for range n {
		ids = append(ids, strings.TrimSpace(e.ok("run", "-d", "--network", "wide", busyboxImage, "sleep", "1000")))
	}
	var monitors []string
	for _, id := range ids {
		data, err := os.ReadFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
		if err != nil {
			t.Fatal(err)
		}
		var st struct {
			OwnerPID int `json:"ownerPid"`
		}
		if err := json.Unmarshal(data, &st); err != nil || st.OwnerPID == 0 {
			t.Fatalf("state of %s: %v %s", id, err, data)
		}
		monitors = append(monitors, "-p", strconv.Itoa(st.OwnerPID))
	}
	dir := t.TempDir()
	monLog, rmLog := filepath.Join(dir, "monitors"), filepath.Join(dir, "rm")
	tracer := exec.Command(strace, append([]string{"-f", "-qq", "-e", "trace=openat", "-o", monLog}, monitors...)...)
	if err := tracer.Start(); err != nil {
		t.Fatal(err)
	}
	// strace says nothing once it is attached: give it time to be.
	time.Sleep(time.Second)
	rm := exec.Command(strace, append([]string{"-f", "-qq", "-e", "trace=openat", "-o", rmLog, burrowBin, "rm", "-f"}, ids...)...)
	rm.Env = e.vars
	if out, err := rm.CombinedOutput(); err != nil {
		_ = tracer.Process.Kill()
		t.Fatalf("rm -f: %v\n%s", err, out)
	}
	// The monitors are gone once rm returns; strace ends with them.
	done := make(chan error, 1)
	go func() { done <- tracer.Wait() }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		_ = tracer.Process.Kill()
		t.Fatal("strace of the monitors did not end")
	}
	count := 0
	for _, f := range []string{monLog, rmLog} {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		count += strings.Count(string(data), "/netns/endpoints/")
	}
	return count
}

// TestRmManyOnBridgeLinear: rm -f of containers on one bridge network reads
// each container's own endpoint, not every endpoint of the network per
// container: four times the containers, about four times the reads (it was
// sixteen). Endpoint reads are counted, not timed, so a busy machine does
// not change the answer.
func TestRmManyOnBridgeLinear(t *testing.T) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skipf("strace is not installed: %v", err)
	}
	e := bridgeEnv(t)
	e.ok("network", "create", "--subnet", "10.89.65.0/24", "wide")
	few := endpointReads(t, e, strace, 5)
	many := endpointReads(t, e, strace, 20)
	t.Logf("endpoint files opened by rm -f: %d for 5 containers, %d for 20", few, many)
	if few == 0 {
		t.Fatal("strace saw no endpoint read: the count proves nothing")
	}
	if many > 7*few {
		t.Errorf("rm -f of 20 containers opened %d endpoint files, of 5 %d: more than linear", many, few)
	}
	if out := e.ok("ps", "-aq"); out != "" {
		t.Errorf("containers left: %q", out)
	}
	if left := listDir(t, filepath.Join(e.dir, "run", "burrow", "netns", "endpoints")); len(left) != 0 {
		t.Errorf("endpoint files left: %v", left)
	}
}
