package tests

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// TestControlsLimits: --ulimit, --shm-size, --oom-score-adj and --sysctl
// each show inside, and without them the defaults do (nofile and nproc at
// the user's hard limit, a 64 MiB /dev/shm, the caller's oom_score_adj).
func TestControlsLimits(t *testing.T) {
	e := shared.forTest(t)
	run := func(args ...string) string {
		return e.ok(append([]string{"run", "--rm", "--network", "none"}, args...)...)
	}
	if out := run("--ulimit", "nofile=512:512", busyboxImage, "sh", "-c", "ulimit -n; ulimit -Hn"); out != "512\n512\n" {
		t.Errorf("--ulimit nofile=512:512: %q", out)
	}
	var nofile syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err != nil {
		t.Fatal(err)
	}
	if out, want := run(busyboxImage, "sh", "-c", "ulimit -n; ulimit -Hn"), fmt.Sprintf("%d\n%d\n", nofile.Max, nofile.Max); out != want && nofile.Max != ^uint64(0) {
		t.Errorf("default nofile: %q, want the hard limit %q", out, want)
	}
	shm := func(args ...string) string {
		out := run(append(args, busyboxImage, "df", "-k", "/dev/shm")...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		return strings.Fields(lines[len(lines)-1])[1]
	}
	if got := shm("--shm-size", "16m"); got != "16384" {
		t.Errorf("--shm-size 16m: /dev/shm has %s KiB", got)
	}
	if got := shm(); got != "65536" {
		t.Errorf("default /dev/shm: %s KiB, want 65536", got)
	}
	own, _ := os.ReadFile("/proc/self/oom_score_adj")
	if out := run("--oom-score-adj", "500", busyboxImage, "cat", "/proc/self/oom_score_adj"); out != "500\n" {
		t.Errorf("--oom-score-adj 500: %q", out)
	}
	if out := run(busyboxImage, "cat", "/proc/self/oom_score_adj"); out != string(own) {
		t.Errorf("default oom_score_adj: %q, want burrow's own %q", out, own)
	}
	read := "cat /proc/sys/net/ipv4/tcp_keepalive_time /proc/sys/kernel/shmmax"
	if out := run("--sysctl", "net.ipv4.tcp_keepalive_time=1234", "--sysctl", "kernel/shmmax=7654321", busyboxImage, "sh", "-c", read); out != "1234\n7654321\n" {
		t.Errorf("--sysctl: %q", out)
	}
	if out := run(busyboxImage, "sh", "-c", read); strings.Contains(out, "1234\n") || strings.Contains(out, "7654321") {
		t.Errorf("without --sysctl: %q", out)
	}
}

// TestControlsLimitsBadInput: each refused with 125 and its name, nothing created.
func TestControlsLimitsBadInput(t *testing.T) {
	e := busyboxEnv(t)
	cases := [][]string{
		{"kernel.core_pattern", "--sysctl", "kernel.core_pattern=x"},
		{"net.ipv4.ip_forward", "--network", "host", "--sysctl", "net.ipv4.ip_forward=1"},
		{"kernel.shmmax", "--ipc", "host", "--sysctl", "kernel.shmmax=1"},
		{"--shm-size", "--ipc", "host", "--shm-size", "1m"},
		{"bogus", "--pid", "bogus"},
		{"--uts host", "--uts", "host", "--hostname", "x"},
		{"SIGBOGUS", "--stop-signal", "SIGBOGUS"},
		{"nosuchgroup", "--group-add", "nosuchgroup"},
		{"level:bad", "--security-opt", "label=level:bad"},
		{"/dev/burrow-no-such-device", "--device", "/dev/burrow-no-such-device"},
		{`"r"`, "--device", "/dev/null:r"},
		{"--ulimit", "--ulimit", "nofile=10:5"},
	}
	var nofile syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &nofile); err == nil && nofile.Max != ^uint64(0) {
		above := fmt.Sprintf("nofile=%d:%d", nofile.Max+1, nofile.Max+1)
		cases = append(cases, []string{"hard limit", "--ulimit", above})
	}
	if data, err := os.ReadFile("/proc/self/oom_score_adj"); err == nil {
		if own, _ := strconv.Atoi(strings.TrimSpace(string(data))); own > -1000 {
			cases = append(cases, []string{"CAP_SYS_RESOURCE", "--oom-score-adj", strconv.Itoa(own - 1)})
		}
	}
	for _, c := range cases {
		r := e.burrow(append(append([]string{"create", "--name", "x", "--network", "none"}, c[1:]...), busyboxImage, "true")...)
		if r.code != 125 || !strings.Contains(r.stderr, c[0]) {
			t.Errorf("%v: %s", c[1:], r)
		}
	}
	if out := e.ok("ps", "-aq"); out != "" {
		t.Errorf("refused input left containers: %q", out)
	}
}
