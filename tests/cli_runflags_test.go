package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestRunFlagsEtc: --no-hostname, --hosts-file and --domainname shape the
// container's names and /etc files as podman and docker do.
func TestRunFlagsEtc(t *testing.T) {
	e := detachedEnv(t)
	probe := "test -e /etc/hostname && echo has || echo none; hostname"
	if out := e.ok("run", "--rm", "--hostname", "box", "--network", "none", busyboxImage, "sh", "-c", probe); out != "has\nbox\n" {
		t.Errorf("without --no-hostname: %q, want burrow's /etc/hostname", out)
	}
	if out := e.ok("run", "--rm", "--no-hostname", "--hostname", "box", "--network", "none", busyboxImage, "sh", "-c", probe); out != "none\nbox\n" {
		t.Errorf("--no-hostname: %q, want the image's (no) /etc/hostname and the hostname still set", out)
	}

	base := filepath.Join(t.TempDir(), "hosts")
	if err := os.WriteFile(base, []byte("10.1.2.3\tfromfile"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := e.ok("run", "--rm", "--hosts-file", base, "--add-host", "extra:10.9.9.9", "--network", "none", busyboxImage, "cat", "/etc/hosts")
	if !strings.HasPrefix(out, "10.1.2.3\tfromfile\n") || !strings.Contains(out, "localhost") || !strings.Contains(out, "10.9.9.9\textra") {
		t.Errorf("--hosts-file %s: /etc/hosts is\n%s\nwant the file first, then burrow's entries", base, out)
	}
	// With the host's network the default base is the host's file; none drops it.
	hostLines := strings.TrimSpace(readFile("/etc/hosts"))
	if out := e.ok("run", "--rm", "--network", "host", "--hosts-file", "none", "--add-host", "only:10.8.8.8", busyboxImage, "cat", "/etc/hosts"); out != "10.8.8.8\tonly\n" {
		t.Errorf("--network host --hosts-file none: /etc/hosts is %q, want the --add-host line only (the host's has %d bytes)", out, len(hostLines))
	}
	// image: the image's own /etc/hosts is the base.
	e.ok("run", "--name", "withhosts", "--no-hosts", "--network", "none", busyboxImage, "sh", "-c", "echo '10.7.7.7 baked' > /etc/hosts")
	e.ok("commit", "-q", "withhosts", "hostsimage")
	if out := e.ok("run", "--rm", "--hosts-file", "image", "--network", "none", "hostsimage", "cat", "/etc/hosts"); !strings.HasPrefix(out, "10.7.7.7 baked\n") || !strings.Contains(out, "localhost") {
		t.Errorf("--hosts-file image: /etc/hosts is\n%s\nwant the image's line first, then burrow's", out)
	}

	if out := e.ok("run", "--rm", "--domainname", "example.org", "--network", "none", busyboxImage, "cat", "/proc/sys/kernel/domainname"); out != "example.org\n" {
		t.Errorf("--domainname example.org: the kernel says %q", out)
	}
	for _, bad := range [][]string{
		{"--hosts-file", "relative/hosts"},
		{"--hosts-file", "/no/such/hosts"},
		{"--hosts-file", base, "--no-hosts"},
		{"--domainname", "x", "--uts", "host"},
	} {
		args := append(append([]string{"run", "--rm"}, bad...), busyboxImage, "echo", "ran")
		if r := e.burrow(args...); r.code != 125 || !strings.Contains(r.stderr, bad[0]) || r.stdout != "" {
			t.Errorf("%v: %s; want 125 naming %s", bad, r, bad[0])
		}
	}
}

// TestRunFlagsEnv: --env-merge expands the image's variables; --http-proxy
// (podman's default) passes burrow's proxy variables in, =false does not.
func TestRunFlagsEnv(t *testing.T) {
	e := detachedEnv(t)
	imagePath := strings.TrimSpace(e.ok("run", "--rm", "--network", "none", busyboxImage, "sh", "-c", "echo $PATH"))
	out := e.ok("run", "--rm", "--network", "none", "--env-merge", "PATH=${PATH}:/opt/bin", "--env-merge", "NEW=${NOPE}-x",
		busyboxImage, "sh", "-c", "echo $PATH; echo $NEW")
	if out != imagePath+":/opt/bin\n-x\n" {
		t.Errorf("--env-merge: %q, want %q then -x", out, imagePath+":/opt/bin")
	}
	// -e still wins over a merged default.
	if out := e.ok("run", "--rm", "--network", "none", "--env-merge", "V=merged", "-e", "V=flag", busyboxImage, "sh", "-c", "echo $V"); out != "flag\n" {
		t.Errorf("--env-merge V=merged -e V=flag: %q", out)
	}
	if r := e.burrow("run", "--rm", "--env-merge", "NOEQUALS", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--env-merge") {
		t.Errorf("--env-merge without =: %s", r)
	}

	proxied := *e
	proxied.vars = append(slices.Clone(e.vars), "http_proxy=http://proxy.example:3128", "NO_PROXY=.local")
	probe := "echo ${http_proxy:-unset} ${NO_PROXY:-unset}"
	if out := proxied.ok("run", "--rm", "--network", "none", busyboxImage, "sh", "-c", probe); out != "http://proxy.example:3128 .local\n" {
		t.Errorf("--http-proxy (default): %q, want the proxy variables passed", out)
	}
	if out := proxied.ok("run", "--rm", "--network", "none", "--http-proxy=false", busyboxImage, "sh", "-c", probe); out != "unset unset\n" {
		t.Errorf("--http-proxy=false: %q, want none passed", out)
	}
}

// TestRunFlagsImageVolume: the image's VOLUMEs become anonymous volumes
// (bind, the default), tmpfs mounts, or nothing (ignore).
func TestRunFlagsImageVolume(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "--name", "src", "--network", "none", busyboxImage, "mkdir", "-p", "/data")
	e.ok("commit", "-q", "--change", "VOLUME /data", "src", "withvolume")
	e.ok("rm", "src")
	mountOf := "awk '$2 == \"/data\" { print $3 }' /proc/mounts"
	for _, tc := range []struct {
		mode, fstype string
		volumes      int
	}{
		{"bind", "", 1}, {"tmpfs", "tmpfs", 0}, {"ignore", "", 0},
	} {
		before := len(strings.Fields(e.ok("volume", "ls", "-q")))
		out := strings.TrimSpace(e.ok("run", "--name", "iv", "--network", "none", "--image-volume", tc.mode, "withvolume", "sh", "-c", mountOf))
		made := len(strings.Fields(e.ok("volume", "ls", "-q"))) - before
		switch {
		case tc.fstype != "" && out != tc.fstype:
			t.Errorf("--image-volume %s: /data is mounted as %q, want %s", tc.mode, out, tc.fstype)
		case tc.mode == "ignore" && out != "":
			t.Errorf("--image-volume ignore: /data is mounted (%q)", out)
		case tc.mode == "bind" && (out == "" || out == "tmpfs"):
			t.Errorf("--image-volume bind: /data is mounted as %q, want a volume", out)
		case made != tc.volumes:
			t.Errorf("--image-volume %s made %d volumes, want %d", tc.mode, made, tc.volumes)
		}
		e.ok("rm", "-v", "iv")
	}
	if r := e.burrow("run", "--rm", "--image-volume", "copy", "withvolume", "true"); r.code != 125 || !strings.Contains(r.stderr, "--image-volume") {
		t.Errorf("--image-volume copy: %s; want 125", r)
	}
}

// TestRunFlagsRequires: a required container is started before the one
// that requires it, on run and on every later start.
func TestRunFlagsRequires(t *testing.T) {
	e := detachedEnv(t)
	e.ok("create", "--name", "db", "--network", "none", busyboxImage, "sleep", "1000")
	e.ok("create", "--name", "cache", "--network", "none", busyboxImage, "sleep", "1000")
	running := func(name string) string {
		return strings.TrimSpace(e.ok("inspect", "--format", "{{.State.Running}}", name))
	}
	if out := e.ok("run", "--rm", "--network", "none", "--requires", "db,cache", busyboxImage, "echo", "app"); out != "app\n" {
		t.Errorf("run --requires db,cache: %q", out)
	}
	if running("db") != "true" || running("cache") != "true" {
		t.Errorf("after run --requires db,cache: db running %s, cache running %s; want both", running("db"), running("cache"))
	}
	e.ok("create", "--name", "app", "--network", "none", "--requires", "db", busyboxImage, "sleep", "1000")
	e.ok("stop", "-t", "0", "db")
	if running("db") != "false" {
		t.Fatalf("db still running after stop")
	}
	e.ok("start", "app")
	if running("db") != "true" || running("app") != "true" {
		t.Errorf("start app (requires db): db running %s, app %s", running("db"), running("app"))
	}
	// rm --depend takes the requiring container too.
	e.ok("rm", "-f", "--depend", "db")
	if r := e.burrow("inspect", "app"); r.code == 0 {
		t.Errorf("rm --depend db left app, which requires it")
	}
	if r := e.burrow("run", "--rm", "--requires", "nosuch", busyboxImage, "true"); r.code == 0 || !strings.Contains(r.stderr, "nosuch") {
		t.Errorf("--requires of a missing container: %s; want an error naming it", r)
	}
}

// TestRunFlagsRefused: flags burrow cannot honour fail by name with the
// reason, exit 125, nothing created; the values that are burrow's own
// behaviour pass.
func TestRunFlagsRefused(t *testing.T) {
	e := detachedEnv(t)
	for _, flags := range [][]string{
		{"--pod", "p"}, {"--pod-id-file", "/tmp/x"}, {"--gpus", "all"}, {"--rdt-class", "c"},
		{"--uidmap", "0:1:1"}, {"--gidmap", "0:1:1"}, {"--subuidname", "u"}, {"--subgidname", "u"},
		{"--personality", "LINUX32"}, {"--device-cgroup-rule", "c 1:3 r"}, {"--secret", "s"},
		{"--decryption-key", "k"}, {"--rootfs"}, {"--ip6", "fd00::2"}, {"--link-local-ip", "169.254.0.2"},
		{"--systemd", "always"}, {"--shm-size-systemd", "1m"}, {"--chrootdirs", "/x"}, {"--sdnotify", "container"},
		{"--seccomp-policy", "image"}, {"--isolation", "hyperv"}, {"--runtime", "runc"}, {"--storage-opt", "size=1g"},
		{"--volume-driver", "nfs"}, {"--cpu-count", "2"}, {"--cpu-percent", "50"}, {"--io-maxbandwidth", "1m"},
		{"--io-maxiops", "10"}, {"--use-api-socket"}, {"--init-path", "/usr/bin/tini"}, {"--init-ctr", "always"},
	} {
		for _, verb := range []string{"run", "create"} {
			args := append(append([]string{verb}, flags...), busyboxImage, "echo", "ran")
			r := e.burrow(args...)
			if r.code != 125 || !strings.Contains(r.stderr, flags[0]+" ") || !strings.Contains(r.stderr, "not supported") || r.stdout != "" {
				t.Errorf("%s %v: %s; want 125 naming the flag and why", verb, flags, r)
			}
		}
	}
	if out := e.ok("ps", "-a", "-q"); out != "" {
		t.Errorf("refused flags left containers: %q", out)
	}
	for _, flags := range [][]string{
		{"--systemd", "false"}, {"--sdnotify", "ignore"}, {"--seccomp-policy", "default"}, {"--isolation", "default"},
		{"--volume-driver", "local"}, {"--disable-content-trust"},
	} {
		args := append(append([]string{"run", "--rm", "--network", "none"}, flags...), busyboxImage, "echo", "ran")
		if r := e.burrow(args...); r.code != 0 || r.stdout != "ran\n" {
			t.Errorf("run %v (burrow's own behaviour): %s", flags, r)
		}
	}
}

// TestRunFlagsPreserveFD: --preserve-fd hands the listed descriptors on at
// their own numbers, to run and to exec, and nothing above them; exec
// --cidfile finds the container by the file run --cidfile wrote.
func TestRunFlagsPreserveFD(t *testing.T) {
	e := detachedEnv(t)
	dir := t.TempDir()
	five, six := filepath.Join(dir, "five"), filepath.Join(dir, "six")
	for path, text := range map[string]string{five: "fd-five", six: "fd-six"} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	open := func(path string) *os.File {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		return f
	}
	leak := open(six)
	// The caller's 3 4 5 6 7: only 5 is passed; 6 and 7 must not arrive.
	probe := "cat <&5; echo; (cat <&6) 2>/dev/null; echo; test -e /proc/self/fd/7 && echo has7 || echo no7"
	check := func(args ...string) {
		t.Helper()
		cmd := exec.Command(burrowBin, args...)
		cmd.Env = e.vars
		cmd.ExtraFiles = []*os.File{nil, nil, open(five), leak, leak}
		out, err := cmd.CombinedOutput()
		if err != nil || string(out) != "fd-five\n\nno7\n" {
			t.Errorf("%v with --preserve-fd 5: %v\n%s\nwant fd 5 read and nothing above it", args, err, out)
		}
	}
	check("run", "--rm", "--network", "none", "--preserve-fd", "5", busyboxImage, "sh", "-c", probe)
	cid := filepath.Join(dir, "cid")
	e.ok("run", "-d", "--cidfile", cid, "--network", "none", busyboxImage, "sleep", "1000")
	check("exec", "--preserve-fd", "5", "--cidfile", cid, "sh", "-c", probe)
	if r := e.burrow("run", "--rm", "--preserve-fd", "9", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "9") {
		t.Errorf("--preserve-fd of a descriptor that is not open: %s", r)
	}
	if r := e.burrow("run", "-d", "--preserve-fd", "2", busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--preserve-fd") {
		t.Errorf("--preserve-fd 2: %s", r)
	}
	if r := e.burrow("exec", "--cidfile", filepath.Join(dir, "nosuch"), "true"); r.code != 125 || !strings.Contains(r.stderr, "--cidfile") {
		t.Errorf("exec --cidfile of a missing file: %s", r)
	}
}

// TestRunFlagsMonitorPidfile: --conmon-pidfile names the detached
// container's monitor (burrow's conmon); exec --no-session is burrow's
// way anyway.
func TestRunFlagsMonitorPidfile(t *testing.T) {
	e := detachedEnv(t)
	file := filepath.Join(t.TempDir(), "monitor.pid")
	id := strings.TrimSpace(e.ok("run", "-d", "--conmon-pidfile", file, "--network", "none", busyboxImage, "sleep", "1000"))
	st := readFile(filepath.Join(e.dir, "run", "burrow", "containers", id+".json"))
	if got, want := strings.TrimSpace(readFile(file)), strconv.Itoa(jsonInt(t, st, "ownerPid")); got != want || got == "0" {
		t.Errorf("--conmon-pidfile wrote %q, want the monitor's PID %s", got, want)
	}
	if out := e.ok("exec", "--no-session", id, "echo", "hi"); out != "hi\n" {
		t.Errorf("exec --no-session: %q", out)
	}
	if r := e.burrow("run", "--rm", "--conmon-pidfile", file, busyboxImage, "true"); r.code != 125 || !strings.Contains(r.stderr, "--conmon-pidfile") {
		t.Errorf("--conmon-pidfile without -d: %s; want 125", r)
	}
}

// TestRunFlagsPasswd: a --user the image does not list gets /etc/passwd
// and /etc/group lines (podman's --passwd, the default), in the form
// --passwd-entry and --group-entry give; --passwd=false leaves the files.
func TestRunFlagsPasswd(t *testing.T) {
	e := detachedEnv(t)
	probe := "grep '^4321:' /etc/passwd; grep ':4322:' /etc/group; whoami 2>&1"
	out := e.ok("run", "--rm", "--network", "none", "-u", "4321:4322", busyboxImage, "sh", "-c", probe)
	if out != "4321:*:4321:4322:4321:/:/bin/sh\n4322:x:4322:4321\n4321\n" {
		t.Errorf("-u 4321:4322: %q; want podman's lines and whoami answering", out)
	}
	out = e.ok("run", "--rm", "--network", "none", "-u", "4321:4322", "--passwd-entry", "$USERNAME:x:$UID:$GID:me:/home/me:/bin/false",
		"--group-entry", "team:x:$GID:", busyboxImage, "sh", "-c", probe)
	if out != "4321:x:4321:4322:me:/home/me:/bin/false\nteam:x:4322:\n4321\n" {
		t.Errorf("--passwd-entry/--group-entry: %q", out)
	}
	r := e.burrow("run", "--rm", "--network", "none", "-u", "4321:4322", "--passwd=false", busyboxImage, "sh", "-c", probe)
	if strings.Contains(r.stdout, "4321:") || strings.Contains(r.stdout, ":4322:") {
		t.Errorf("--passwd=false: %s; want no lines added", r)
	}
	image := e.ok("run", "--rm", "--network", "none", busyboxImage, "cat", "/etc/passwd")
	if out := e.ok("run", "--rm", "--network", "none", "-u", "0", busyboxImage, "cat", "/etc/passwd"); out != image {
		t.Errorf("-u 0, whom the image lists: /etc/passwd changed to %q", out)
	}
}

// TestPsFlagsCompat: ps --sync is burrow's way anyway; --pod and
// --external are refused by name.
func TestPsFlagsCompat(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "listed", "--network", "none", busyboxImage, "sleep", "1000")
	if out := e.ok("ps", "--sync", "--format", "{{.Names}}"); out != "listed\n" {
		t.Errorf("ps --sync: %q", out)
	}
	for _, f := range []string{"--pod", "--external"} {
		if r := e.burrow("ps", f); r.code != 125 || !strings.Contains(r.stderr, f+" is not supported") {
			t.Errorf("ps %s: %s; want 125 naming it", f, r)
		}
	}
	// --watch 1 lists again each second until it is interrupted.
	watch := exec.Command(burrowBin, "ps", "--watch", "1", "--format", "{{.Names}}")
	watch.Env = e.vars
	var out strings.Builder
	watch.Stdout = &out
	if err := watch.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2500 * time.Millisecond)
	_ = watch.Process.Kill()
	_ = watch.Wait()
	if n := strings.Count(out.String(), "listed\n"); n < 2 {
		t.Errorf("ps --watch 1 over 2.5 s listed %d times: %q", n, out.String())
	}
}

// TestLogsFlagsDetails: docker's logs --details adds the log attributes
// of --log-opt labels/env; burrow's records carry none, so the lines are
// the same.
func TestLogsFlagsDetails(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "said", "--network", "none", busyboxImage, "sh", "-c", "echo one; echo two >&2")
	e.ok("wait", "said")
	if plain, detailed := e.ok("logs", "said"), e.ok("logs", "--details", "said"); detailed != plain || plain != "one\n" {
		t.Errorf("logs --details: %q, logs: %q", detailed, plain)
	}
}
