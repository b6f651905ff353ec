package tests

import (
	"archive/tar"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// scriptLine is one command as docker's and podman's documentation and
// people's scripts write it, with the exit code and output it must give.
type scriptLine struct {
	args []string
	code int
	out  string // a regular expression stdout must match ("" for any)
}

// runScript runs lines in order in one burrow home, reporting each that
// exits or prints otherwise.
func runScript(t *testing.T, e *env, lines []scriptLine) {
	t.Helper()
	for _, l := range lines {
		r := e.burrow(l.args...)
		if r.code != l.code {
			t.Errorf("burrow %s: exit %d, want %d\n%s", strings.Join(l.args, " "), r.code, l.code, r)
			continue
		}
		if l.out != "" && !regexp.MustCompile(l.out).MatchString(r.stdout) {
			t.Errorf("burrow %s: stdout %q does not match %q\n%s", strings.Join(l.args, " "), r.stdout, l.out, r)
		}
	}
}

func line(code int, out string, args ...string) scriptLine {
	return scriptLine{args: args, code: code, out: out}
}

// TestCLIParsing: flags after names, joined short values, -e and --env in
// one command, `--` ending flags, and a container named h (urfave/cli's
// help alias) that exec and rm reach.
func TestCLIParsing(t *testing.T) {
	e := detachedEnv(t)
	runScript(t, e, []scriptLine{
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--name", "h", busyboxImage, "sleep", "1000"),
		line(0, `^hi\n$`, "exec", "h", "echo", "hi"),
		line(0, `^h running\n$`, "inspect", "h", "--format", "{{.Name}} {{.State.Status}}"),
		line(0, `^h running\n$`, "container", "inspect", "h", "-f", "{{.Name}} {{.State.Status}}"),
		line(0, `^x1\n$`, "exec", "-eX=1", "h", "sh", "-c", "echo x$X"),
		line(0, `^12\n$`, "run", "--rm", "-e", "A=1", "--env", "B=2", busyboxImage, "sh", "-c", "echo $A$B"),
		// After the image, everything is the container's command.
		line(0, `^--rm -t0\n$`, "run", "--rm", busyboxImage, "echo", "--rm", "-t0"),
		line(0, `^[0-9a-f]{12}\n$`, "images", busyboxImage, "-q"),
		line(0, `^h\n$`, "stop", "-t0", "h"),
		line(0, `^h\n$`, "rm", "--", "h"),
		line(125, "", "ps", "--no-such-flag"),
	})
	start := time.Now()
	e.ok("run", "-d", "--name", "slow", busyboxImage, "sleep", "1000")
	e.ok("stop", "slow", "-t", "0")
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("stop slow -t 0 took %v: the -t after the name was not honoured", d)
	}
}

// TestCLIFormat: --format with docker's and podman's template functions,
// table headers, json on listings and inspect, --noheading, --no-trunc,
// --sort.
func TestCLIFormat(t *testing.T) {
	e := detachedEnv(t)
	e.ok("tag", busyboxImage, "zzz/other:v1")
	e.ok("run", "-d", "--name", "bravo", "-l", "tier=web", busyboxImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "alpha", busyboxImage, "sleep", "1000")
	runScript(t, e, []scriptLine{
		line(0, `^REPOSITORY\s+TAG\n\S+busybox\s+LATEST\n\S*zzz/other\s+V1\n$`, "images", "--sort", "repository", "--format", `table {{.Repository}}\t{{upper .Tag}}`),
		line(0, `^\S+busybox\s+latest\s`, "images", "--noheading", "--sort", "repository"),
		line(0, `^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n`, "images"),
		line(0, `^[0-9a-f]{64}\n$`, "images", "-q", "--no-trunc", busyboxImage),
		line(0, `^alpha\nbravo\n$`, "ps", "--sort", "names", "--format", "{{.Names}}"),
		line(0, `^NAMES\s+LABELS\nalpha\s+\nbravo\s+web\n$`, "ps", "--sort", "names", "--format", `table {{.Names}}\t{{index .Labels "tier"}}`),
		line(0, `^web\n$`, "ps", "--filter", "name=bravo", "--format", `{{.Label "tier"}}`),
		line(0, `^alpha\n$`, "ps", "--filter", "since=bravo", "--format", "{{.Names}}"),
		line(0, `^bravo\n$`, "ps", "--filter", "before=alpha", "--format", "{{.Names}}"),
		line(125, "", "ps", "--filter", "before=nosuch"),
		line(0, `^Alp\|  brav  \|ALPHA\nBra\|  brav  \|BRAVO\n$`, "ps", "--sort", "names", "--format", `{{title (truncate .Names 3)}}|{{pad (lower "brav") 2 2}}|{{upper .Names}}`),
		line(0, `^\[localhost zzz other\] a-b\n$`, "images", "--filter", "reference=zzz/*", "--format", `{{split .Repository "/" | printf "%v"}} {{join (split "a b" " ") "-"}}`),
		line(0, `^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n`, "ps"),
		line(0, `^[0-9a-f]{12}\s+busybox\s+`, "ps", "--noheading"),
		line(0, `^[0-9a-f]{64}\n[0-9a-f]{64}\n$`, "ps", "-q", "--no-trunc"),
		line(125, "", "ps", "--sort", "nosuchkey"),
		line(0, `"tier": "web"`, "ps", "--filter", "name=bravo", "--format", "json"),
		line(0, `^\[\n\s+\{\n\s+"Id": "[0-9a-f]{64}"`, "inspect", "alpha", "--format", "json"),
		line(0, `"RepoTags": \[`, "image", "inspect", busyboxImage, "--format", "json"),
		line(0, `^\[\n\s+\{\n\s+"ID": "[0-9a-f]{12}"`, "images", "--format", "json"),
	})
	var rows []struct{ Names, State string }
	if err := json.Unmarshal([]byte(e.ok("ps", "--format", "json")), &rows); err != nil || len(rows) != 2 {
		t.Errorf("ps --format json: %v, %d rows", err, len(rows))
	}
}

// TestCLIExitCodes: podman's exit codes for rm, rmi, exists and commands
// that cannot run.
func TestCLIExitCodes(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "up", busyboxImage, "sleep", "1000")
	e.ok("create", "--name", "idle", busyboxImage, "true")
	runScript(t, e, []scriptLine{
		line(1, "", "rm", "nosuch"),
		line(1, "", "rm", "nosuch", "other"),
		line(2, "", "rm", "up"),
		line(0, `^$`, "rm", "--ignore", "nosuch"),
		line(1, "", "rmi", "nosuch:1"),
		line(0, `^$`, "rmi", "-i", "nosuch:1"),
		line(2, "", "rmi", busyboxImage),
		line(0, `^$`, "container", "exists", "up"),
		line(1, `^$`, "container", "exists", "nosuch"),
		line(0, `^$`, "image", "exists", busyboxImage),
		line(1, `^$`, "image", "exists", "nosuch"),
		line(127, "", "run", "--rm", busyboxImage, "/no/such/command"),
		line(126, "", "run", "--rm", busyboxImage, "/etc/passwd"),
		line(125, "", "run", "--no-such-flag", busyboxImage),
		line(125, "", "nosuchverb"),
		line(125, "", "container", "nosuchverb"),
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--name", "base", "--network", "none", busyboxImage, "sleep", "1000"),
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--name", "dep", "--network", "none", "--pid", "container:base", busyboxImage, "sleep", "1000"),
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--name", "dep2", "--network", "none", "--uts", "container:dep", busyboxImage, "sleep", "1000"),
		line(0, `^[0-9a-f]{64}\n[0-9a-f]{64}\nbase\n$`, "rm", "-f", "--depend", "base"),
		line(0, `^idle\nup\n$`, "ps", "-a", "--sort", "names", "--format", "{{.Names}}"),
		line(0, `^idle\n$`, "rm", "idle"),
		line(0, `^up\n$`, "rm", "-f", "-t", "0", "up"),
	})
}

// TestCLIVerbs: the verbs and flags scripts copy from docker's and
// podman's documentation.
func TestCLIVerbs(t *testing.T) {
	e := detachedEnv(t)
	e.ok("create", "--name", "one", busyboxImage, "sleep", "1000")
	e.ok("create", "--name", "two", busyboxImage, "sleep", "1000")
	runScript(t, e, []scriptLine{
		line(0, `^[0-9a-f]{64}\n[0-9a-f]{64}\n$`, "start", "--all"),
		line(0, `^one running\ntwo running\n$`, "ps", "--sort", "names", "--format", "{{.Names}} {{.State}}"),
		line(0, `^[0-9a-f]{64}\n$`, "kill", "-s", "0", "--latest"),
		line(0, `^one\n$`, "kill", "--signal", "SIGCONT", "one"),
		line(0, `^[0-9a-f]{64}\n[0-9a-f]{64}\n$`, "stop", "-a", "-t0"),
		line(0, `^$`, "ps", "-q"),
	})
	committed := strings.TrimSpace(e.ok("commit", "-q", "one", "committed:v1"))
	if len(committed) != 64 {
		t.Errorf("commit -q printed %q, want a bare ID", committed)
	}
	runScript(t, e, []scriptLine{
		line(0, `^[0-9a-f]{64}\n$`, "rm", "--filter", "name=two"),
		line(0, `\S*committed\s+v1\s`, "images", "-a", "--noheading", "--sort", "repository"),
		line(0, `^\S*committed\n$`, "images", "--filter", "since="+busyboxImage, "--format", "{{.Repository}}"),
		line(0, `^\S*busybox\n$`, "images", "--filter", "before=committed:v1", "--format", "{{.Repository}}"),
		line(0, `^\S*committed\n$`, "images", "--filter", "id="+committed[:8], "--format", "{{.Repository}}"),
		line(0, `^$`, "untag", "committed:v1"),
		line(1, "", "image", "exists", "committed:v1"),
		line(0, `^[0-9a-f]{64}\n$`, "container", "rm", "-a"),
		line(0, `^\d+\.\d+ linux/`, "version", "--format", "{{.Client.APIVersion}} {{.Client.OsArch}}"),
		line(0, `^burrow true (overlay|vfs)\n$`, "info", "--format", "{{.Host.OCIRuntime.Name}} {{.Host.Security.Rootless}} {{.Store.GraphDriverName}}"),
		line(0, `complete -F _burrow burrow`, "completion", "bash"),
		line(0, `complete -c burrow`, "completion", "fish"),
		line(125, "", "completion", "tcsh"),
	})
	root := strings.TrimSpace(e.ok("info", "--format", "{{.Store.GraphRoot}} {{.Store.RunRoot}} {{(index .Host.IDMappings.UIDMap 0).HostID}}"))
	if want := filepath.Join(e.dir, "data") + "/"; !strings.HasPrefix(root, want) || !strings.HasSuffix(root, " "+itoa(os.Getuid())) {
		t.Errorf("info paths %q: want the graph root under %s and container root mapped to %d", root, want, os.Getuid())
	}
	script := filepath.Join(e.dir, "completion.bash")
	if err := os.WriteFile(script, []byte(e.ok("completion", "bash")), 0o644); err != nil {
		t.Fatal(err)
	}
	// Complete `burrow container l` in a real bash.
	out, err := exec.Command("bash", "-c", `source "$1"; COMP_WORDS=(burrow container l); COMP_CWORD=2; _burrow; echo "${COMPREPLY[*]}"`, "_", script).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "ls") || !strings.Contains(string(out), "logs") {
		t.Errorf("bash completion of `burrow container l`: %q (%v)", out, err)
	}
}

// TestCLIRunCompat: run and create flags scripts pass to docker and
// podman: --entrypoint in JSON form, --memory=0, --kernel-memory,
// --log-driver, --label-file, --env-host, --replace, --rmi.
func TestCLIRunCompat(t *testing.T) {
	e := detachedEnv(t)
	labels := filepath.Join(e.dir, "labels")
	if err := os.WriteFile(labels, []byte("# team labels\nteam=blue\n\nstage=test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.ok("tag", busyboxImage, "throwaway:1")
	e.ok("create", "--name", "victim", busyboxImage, "true")
	hosts, data := filepath.Join(e.dir, "hosts"), filepath.Join(e.dir, "data-dir")
	if err := os.WriteFile(hosts, []byte("10.1.2.3 mine.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	runScript(t, e, []scriptLine{
		line(0, `^ep-ok\n$`, "run", "--rm", "--network", "none", "--entrypoint", `["/bin/sh","-c"]`, busyboxImage, "echo ep-ok"),
		line(0, `^$`, "run", "--rm", "--network", "none", "--memory=0", busyboxImage, "true"),
		line(0, `^$`, "run", "--rm", "--network", "none", "--kernel-memory", "64m", busyboxImage, "true"),
		line(0, `^hi\n$`, "run", "--rm", "--network", "none", "--log-driver", "k8s-file", busyboxImage, "echo", "hi"),
		line(125, "", "run", "--rm", "--network", "none", "--log-driver", "journald", busyboxImage, "true"),
		line(0, `XDG_DATA_HOME=`+regexp.QuoteMeta(filepath.Join(e.dir, "data")), "run", "--rm", "--network", "none", "--env-host", busyboxImage, "env"),
		line(0, `^[0-9a-f]{64}\n$`, "create", "--name", "labelled", "--label-file", labels, "-l", "stage=prod", busyboxImage, "true"),
		line(0, `^blue prod\n$`, "inspect", "labelled", "--format", `{{index .Config.Labels "team"}} {{index .Config.Labels "stage"}}`),
		line(0, `^[0-9a-f]{64}\n$`, "create", "--replace", "--name", "victim", busyboxImage, "sleep", "1"),
		line(0, `^victim sleep 1\n$`, "ps", "-a", "--filter", "name=victim", "--format", "{{.Names}} {{.Command}}"),
		line(0, `^$`, "run", "--rmi", "--network", "none", "throwaway:1", "true"),
		line(1, "", "image", "exists", "throwaway:1"),
		line(0, `^$`, "image", "exists", busyboxImage),
		line(125, "", "run", "-d", "--rmi", busyboxImage, "true"),
		line(0, `^$`, "run", "--rm", "--network", "none", "--detach-keys", "", busyboxImage, "true"),
		line(0, `^$`, "run", "--rm", "--network", "none", "--detach-keys", "ctrl-p,ctrl-q", busyboxImage, "true"),
		line(125, "", "run", "--rm", "--network", "none", "--detach-keys", "ctrl-", busyboxImage, "true"),
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--name", "quiet", "--network", "none", busyboxImage, "sleep", "1000"),
		line(0, `^quiet\n$`, "ps", "--filter", "network=none", "--filter", "health=none", "--format", "{{.Names}}"),
		line(0, `^$`, "ps", "--filter", "health=healthy", "--format", "{{.Names}}"),
		line(0, `^$`, "exec", "--detach-keys=", "quiet", "true"),
		line(0, `^10\.1\.2\.3 mine\.example\n$`, "run", "--rm", "--network", "none", "-v", hosts+":/etc/hosts:ro", busyboxImage, "cat", "/etc/hosts"),
		line(125, "", "run", "--rm", "--network", "none", "-v", data+":/data", "-v", data+":/data/", busyboxImage, "true"),
		line(125, "", "run", "--rm", "--network", "none", "-v", data+":/data", "--tmpfs", "/data", busyboxImage, "true"),
		line(0, `^$`, "run", "--rm", "--network", "none", busyboxImage, "test", "-e", "/etc/hosts"),
		line(1, `^$`, "run", "--rm", "--network", "none", "--no-hosts", busyboxImage, "test", "-e", "/etc/hosts"),
		line(125, "", "run", "--rm", "--no-hosts", "--add-host", "a:10.0.0.1", busyboxImage, "true"),
		line(125, "", "run", "--rm", "--expose", "0", busyboxImage, "true"),
		line(0, `^PATH=.*\nKEEP=yes\n$`, "run", "--rm", "--network", "none", "--unsetenv", "HOSTNAME", "--unsetenv", "HOME", "-e", "KEEP=yes", busyboxImage, "/bin/env"),
		line(0, `^ONLY=1\n$`, "run", "--rm", "--network", "none", "--unsetenv-all", "-e", "ONLY=1", busyboxImage, "/bin/env"),
		line(0, `^[0-9a-f]{64}\n$`, "create", "--name", "annotated", "--annotation", "io.example/team=blue", busyboxImage, "true"),
		line(0, `^blue\n$`, "inspect", "annotated", "--format", `{{index .Config.Annotations "io.example/team"}}`),
		line(0, `^America/New_York `+tzSize(t, "/usr/share/zoneinfo/America/New_York")+`\n$`, "run", "--rm", "--network", "none", "--tz", "America/New_York", busyboxImage, "sh", "-c", "echo $TZ $(wc -c < /etc/localtime)"),
		line(0, `^`+tzSize(t, "/etc/localtime")+`\n$`, "run", "--rm", "--network", "none", "--tz=local", busyboxImage, "sh", "-c", "echo $TZ $(wc -c < /etc/localtime)"),
		line(125, "", "run", "--rm", "--tz", "../../etc/passwd", busyboxImage, "true"),
		line(125, "", "run", "--rm", "--tz", "Nowhere/Zone", busyboxImage, "true"),
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--name", "exposed", "-P", "--expose", "8080", "--expose", "53/udp", busyboxImage, "sleep", "1000"),
		line(0, `^53/udp -> 0\.0\.0\.0:\d+\n8080/tcp -> 0\.0\.0\.0:\d+\n$|^8080/tcp -> 0\.0\.0\.0:\d+\n53/udp -> 0\.0\.0\.0:\d+\n$`, "port", "exposed"),
	})
	if r := e.burrow("run", "--rm", "--network", "none", "--kernel-memory", "64m", busyboxImage, "true"); !strings.Contains(r.stderr, "kernel-memory") {
		t.Errorf("--kernel-memory gave no warning: %s", r)
	}
}

// TestCLIInspectFields: inspect answers docker's field paths.
func TestCLIInspectFields(t *testing.T) {
	e := detachedEnv(t)
	data := filepath.Join(e.dir, "data-dir")
	if err := os.Mkdir(data, 0o755); err != nil {
		t.Fatal(err)
	}
	id := strings.TrimSpace(e.ok("run", "-d", "--name", "web", "--network", "none", "-e", "FOO=bar", "-w", "/tmp", "-v", data+":/data:ro",
		"--restart", "on-failure:3", "-l", "tier=web", busyboxImage, "sleep", "1000"))
	image := strings.TrimSpace(e.ok("image", "inspect", busyboxImage, "--format", "{{.Id}}"))
	runScript(t, e, []scriptLine{
		line(0, `^`+id+` /?web running true busybox `+regexp.QuoteMeta(image)+`\n$`, "inspect", "web", "--format", "{{.Id}} {{.Name}} {{.State.Status}} {{.State.Running}} {{.ImageName}} {{.Image}}"),
		line(0, `^\[.*FOO=bar.*\] /tmp web \[sleep 1000\]\n$`, "inspect", "web", "--format", `{{.Config.Env}} {{.Config.WorkingDir}} {{.Config.Labels.tier}} {{.Config.Cmd}}`),
		line(0, `^on-failure 3 none \[`+regexp.QuoteMeta(data)+`:/data:ro\]\n$`, "inspect", "web", "--format", "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.NetworkMode}} {{.HostConfig.Binds}}"),
		line(0, `^bind `+regexp.QuoteMeta(data)+` /data false\n$`, "inspect", "web", "--format", "{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}}{{end}}"),
		line(0, `^private 0 0\n$`, "inspect", "web", "--format", "{{.HostConfig.IpcMode}} {{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}"),
		line(0, `^sha256:[0-9a-f]{64} layers 1 \[/bin/sh\] \[\S*busybox:latest\]\n$`, "image", "inspect", busyboxImage, "--format", "{{.Id}} {{.RootFS.Type}} {{len .RootFS.Layers}} {{.Config.Cmd}} {{.RepoTags}}"),
		line(0, `^map\[\]\n$`, "image", "inspect", busyboxImage, "--format", "{{.Labels}}"),
	})
}

// TestCLILatestAndFiles: --latest on exec, logs and inspect; exec
// --env-file; commit --iidfile; stop and rm --cidfile.
func TestCLILatestAndFiles(t *testing.T) {
	e := detachedEnv(t)
	envFile := filepath.Join(e.dir, "env")
	if err := os.WriteFile(envFile, []byte("FROM_FILE=yes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cid, iid := filepath.Join(e.dir, "cid"), filepath.Join(e.dir, "iid")
	e.ok("run", "-d", "--name", "older", "--network", "none", busyboxImage, "sleep", "1000")
	time.Sleep(10 * time.Millisecond)
	e.ok("run", "-d", "--name", "newest", "--network", "none", "--cidfile", cid, busyboxImage, "sh", "-c", "echo logged; sleep 1000")
	if !waitFor(10*time.Second, func() bool { return e.burrow("logs", "--latest").stdout == "logged\n" }) {
		t.Errorf("logs --latest: %s", e.burrow("logs", "--latest"))
	}
	runScript(t, e, []scriptLine{
		line(0, `^newest\n$`, "inspect", "-l", "--format", "{{.Name}}"),
		line(0, `^yes\n$`, "exec", "--env-file", envFile, "-l", "sh", "-c", "echo $FROM_FILE"),
		line(0, `^yes\n$`, "exec", "--env-file", envFile, "older", "sh", "-c", "echo $FROM_FILE"),
		line(0, `^[0-9a-f]{64}\n$`, "commit", "-q", "--iidfile", iid, "older", "snap:1"),
		line(0, `^[0-9a-f]{64}\n$`, "stop", "-t", "0", "--cidfile", cid),
		line(0, `^[0-9a-f]{64}\n$`, "rm", "--cidfile", cid),
		line(0, `^older\n$`, "ps", "-a", "--format", "{{.Names}}"),
	})
	// exec -d returns at once; the command runs on in the background.
	start := time.Now()
	if r := e.burrow("exec", "-d", "older", "sh", "-c", "sleep 1; echo bg > /tmp/bg"); r.code != 0 || r.stdout != "" || time.Since(start) > 900*time.Millisecond {
		t.Errorf("exec -d: %s after %v; want exit 0, no output, at once", r, time.Since(start))
	}
	if !waitFor(10*time.Second, func() bool { return e.burrow("exec", "older", "cat", "/tmp/bg").stdout == "bg\n" }) {
		t.Error("exec -d: the background command never ran")
	}
	if r := e.burrow("exec", "-d", "newest", "true"); r.code != 125 {
		t.Errorf("exec -d in a removed container: %s", r)
	}
	data, err := os.ReadFile(iid)
	if want := strings.TrimSpace(e.ok("image", "inspect", "snap:1", "--format", "{{.Id}}")); err != nil || string(data) != want {
		t.Errorf("--iidfile holds %q (%v), want %s", data, err, want)
	}
}

// TestCLIMessages: errors in the user's terms: a stop that needed SIGKILL
// says so once; load of a file that is no image says so; cp names the
// path and container asked for.
func TestCLIMessages(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "deaf", "--network", "none", busyboxImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "quick", "--network", "none", busyboxImage, "sleep", "1000")
	if r := e.burrow("stop", "-t", "0", "quick"); r.code != 0 || r.stderr != "" {
		t.Errorf("stop -t 0 asks for SIGKILL: no warning wanted: %s", r)
	}
	r := e.burrow("stop", "-t", "1", "deaf")
	if r.code != 0 || strings.Count(r.stderr, "SIGKILL") != 1 || !strings.Contains(r.stderr, "deaf") {
		t.Errorf("stop of a container that ignores SIGTERM: %s; want one warning naming SIGKILL and deaf", r)
	}
	junk := filepath.Join(e.dir, "junk.tar")
	if err := os.WriteFile(junk, []byte("not an image\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.burrow("load", "-i", junk); r.code != 125 || !strings.Contains(r.stderr, "matches none of the supported formats") {
		t.Errorf("load of a file that is no image: %s", r)
	}
	e.ok("start", "deaf")
	for _, c := range []struct {
		cmd  string
		code int
		says string
	}{
		{"/no/such/command", 127, `"/no/such/command": no such file or directory`},
		{"nosuchcommand", 127, `"nosuchcommand": executable file not found in $PATH`},
		{"/etc/passwd", 126, `"/etc/passwd": permission denied`},
		{"/tmp", 126, `"/tmp": is a directory`},
	} {
		for _, verb := range [][]string{{"run", "--rm", "--network", "none", busyboxImage}, {"exec", "deaf"}} {
			r := e.burrow(append(verb, c.cmd)...)
			if r.code != c.code || !strings.Contains(r.stderr, c.says) {
				t.Errorf("%s %s: %s; want exit %d saying %s", verb[0], c.cmd, r, c.code, c.says)
			}
		}
	}
	if r := e.burrow("cp", "deaf:/no/such", e.dir); r.code != 125 || !strings.Contains(r.stderr, `"/no/such" could not be found on container deaf`) {
		t.Errorf("cp of a missing path: %s", r)
	}
}

// TestCLISystem: system df and system prune -af as CI scripts call them;
// history with --format, -q and --no-trunc.
func TestCLISystem(t *testing.T) {
	e := detachedEnv(t)
	e.ok("tag", busyboxImage, "spare:1")
	e.ok("commit", "-q", strings.TrimSpace(e.ok("create", "--name", "base", busyboxImage, "true")), "unused:1")
	e.ok("create", "--name", "stopped", busyboxImage, "true")
	e.ok("run", "-d", "--name", "up", "--network", "none", busyboxImage, "sleep", "1000")
	runScript(t, e, []scriptLine{
		line(0, `^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\nImages\s+2\s+1\s+\S+\s+\S+\nContainers\s+3\s+1\s`, "system", "df"),
		line(0, `^Images 2\nContainers 3\n$`, "system", "df", "--format", "{{.Type}} {{.Total}}"),
		line(0, `^Deleted Containers\n[0-9a-f]{64}\n[0-9a-f]{64}\n(Deleted Networks\n(\S+\n)*)?Deleted Images\n`, "system", "prune", "-af"),
		line(0, `^up\n$`, "ps", "-a", "--format", "{{.Names}}"),
		line(1, "", "image", "exists", "unused:1"),
		line(0, `^$`, "image", "exists", busyboxImage),
		line(125, "", "system", "prune", "--volumes"),
		line(0, `^IMAGE\s+CREATED\s+CREATED BY\s+COMMENT\n[0-9a-f]{12}\s+`, "history", busyboxImage),
		line(0, `^sha256:[0-9a-f]{64} imported from tarball\n$`, "history", "--no-trunc", "--format", "{{.ID}} {{.Comment}}", busyboxImage),
		line(0, `^[0-9a-f]{12}\n$`, "history", "-q", busyboxImage),
		line(0, `^up\n$`, "rm", "-fv", "up"),
		line(0, `^[0-9a-f]{64}\n$`, "run", "-d", "--network", "none", busyboxImage, "sleep", "1000"),
		line(0, `^$`, "system", "reset"), // no answer: nothing goes
		line(0, `^$`, "image", "exists", busyboxImage),
		line(0, `^$`, "system", "reset", "--force"),
		line(0, `^$`, "ps", "-aq"),
		line(0, `^$`, "images", "-q"),
	})
}

// TestCLIPortWaitSize: port with a private port and --all, wait
// --condition, ps --size, run --pidfile and --userns.
func TestCLIPortWaitSize(t *testing.T) {
	e := detachedEnv(t)
	port := freePort(t)
	pidfile := filepath.Join(e.dir, "pid")
	e.ok("run", "-d", "--name", "pub", "-p", fmt.Sprintf("127.0.0.1:%d:80", port), busyboxImage, "sleep", "1000")
	e.ok("run", "-d", "--name", "writer", "--network", "none", "--pidfile", pidfile, "--userns", "host", busyboxImage,
		"sh", "-c", "head -c 300000 /dev/zero > /big; sleep 1000")
	e.ok("create", "--name", "idle", busyboxImage, "true")
	hostAddr := fmt.Sprintf("127.0.0.1:%d", port)
	runScript(t, e, []scriptLine{
		line(0, `^`+regexp.QuoteMeta(hostAddr)+`\n$`, "port", "pub", "80"),
		line(0, `^`+regexp.QuoteMeta(hostAddr)+`\n$`, "port", "pub", "80/tcp"),
		line(125, "", "port", "pub", "81"),
		line(0, `^[0-9a-f]{64}\n80/tcp -> `+regexp.QuoteMeta(hostAddr)+`\n$`, "port", "--all"),
		line(0, `^-1\n$`, "wait", "--condition", "running", "pub"),
		line(0, `^-1\n$`, "wait", "--condition", "created", "idle"),
		line(125, "", "wait", "--condition", "sleeping", "pub"),
		line(125, "", "run", "--rm", "--userns", "keep-id", busyboxImage, "true"),
		line(125, "", "run", "--rm", "--pidfile", pidfile, busyboxImage, "true"),
	})
	if !waitFor(10*time.Second, func() bool {
		return strings.Contains(e.ok("exec", "writer", "ls", "-l", "/big"), "300000")
	}) {
		t.Fatal("the writer never wrote /big")
	}
	out := e.ok("ps", "--size", "--filter", "name=writer", "--format", "{{.Names}} {{.Size}}")
	if !regexp.MustCompile(`^writer \d+(\.\d+)?kB\n$`).MatchString(out) {
		t.Errorf("ps --size: %q, want writer and about 300kB", out)
	}
	if !strings.Contains(e.ok("ps", "--size"), "SIZE") {
		t.Error("ps --size has no SIZE column")
	}
	data, err := os.ReadFile(pidfile)
	if want := strings.TrimSpace(e.ok("inspect", "writer", "--format", "{{.State.Pid}}")); err != nil || string(data) != want {
		t.Errorf("--pidfile holds %q (%v), want %s", data, err, want)
	}
	runScript(t, e, []scriptLine{
		line(0, `^NAME\s+PIDS\nwriter\s+\S+\n$`, "stats", "--no-stream", "--format", `table {{.Name}}\t{{.PIDs}}`, "writer"),
		line(0, `^writer\n$`, "stats", "--no-stream", "--noheading", "--format", "table {{.Name}}", "writer"),
	})
	done := make(chan result, 1)
	go func() { done <- e.burrow("wait", "--condition", "exited", "writer") }()
	e.ok("kill", "writer")
	select {
	case r := <-done:
		if r.code != 0 || r.stdout != "137\n" {
			t.Errorf("wait --condition exited after kill: %s", r)
		}
	case <-time.After(20 * time.Second):
		t.Error("wait --condition exited did not return")
	}
}

// TestCLITop: top with podman's descriptors, and ps options that would
// select every host process (-e, aux) still list only the container's.
func TestCLITop(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "w", "--network", "none", busyboxImage, "sleep", "1000")
	runScript(t, e, []scriptLine{
		line(0, `^\s*PID\s+USER\s+COMMAND\n\s*\d+\s+\S+\s+sleep\n$`, "top", "w", "pid", "user", "comm"),
		line(0, `^\s*PID\s+COMMAND\n\s*\d+\s+sleep 1000\n$`, "top", "w", "pid,args"),
		line(0, `^\s*PID\s+COMMAND\n\s*\d+\s+sleep\n$`, "top", "w", "-eo", "pid,comm"),
		line(0, `^USER.*\n\S+\s+\d+.*sleep 1000\n$`, "top", "w", "aux"),
	})
}

// TestCLILogsNames: logs of several containers with --names; restart
// --all --running leaves stopped containers be.
func TestCLILogsNames(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "one", "--network", "none", busyboxImage, "echo", "from-one")
	e.ok("run", "-d", "--name", "two", "--network", "none", busyboxImage, "echo", "from-two")
	e.ok("run", "-d", "--name", "up", "--network", "none", busyboxImage, "sleep", "1000")
	if !waitFor(10*time.Second, func() bool {
		return len(e.burrow("logs", "one", "two").stdout) == len("from-one\nfrom-two\n") && e.ok("ps", "--format", "{{.Names}}") == "up\n"
	}) {
		t.Fatalf("no logs: %s", e.burrow("logs", "one", "two"))
	}
	runScript(t, e, []scriptLine{
		line(0, `^(one from-one\ntwo from-two\n|two from-two\none from-one\n)$`, "logs", "--names", "one", "two"),
		line(0, `^\x1b\[3\dmone\x1b\[0m from-one\n$`, "logs", "-n", "--color", "one"),
		line(0, `^from-two\n$`, "logs", "two"),
		line(0, `^[0-9a-f]{64}\n$`, "restart", "--all", "--running", "-t", "0"),
		line(0, `^one exited\ntwo exited\nup running\n$`, "ps", "-a", "--sort", "names", "--format", "{{.Names}} {{.State}}"),
	})
}

// TestCLICpTarAndBetween: cp with - for a tar on stdout and stdin, and
// between two containers; a tar that climbs out is refused.
func TestCLICpTarAndBetween(t *testing.T) {
	e := detachedEnv(t)
	e.ok("run", "-d", "--name", "a", "--network", "none", busyboxImage, "sh", "-c", "echo from-a > /tmp/note; sleep 1000")
	e.ok("run", "-d", "--name", "b", "--network", "none", busyboxImage, "sleep", "1000")
	if !waitFor(10*time.Second, func() bool { return e.burrow("exec", "a", "cat", "/tmp/note").stdout == "from-a\n" }) {
		t.Fatal("a never wrote its note")
	}
	// Out as a tar.
	r := e.burrow("cp", "a:/tmp/note", "-")
	if r.code != 0 {
		t.Fatalf("cp a:/tmp/note -: %s", r)
	}
	tr := tar.NewReader(strings.NewReader(r.stdout))
	hdr, err := tr.Next()
	if err != nil || hdr.Name != "note" {
		t.Fatalf("cp to -: first entry %v (%v), want note", hdr, err)
	}
	if body, _ := io.ReadAll(tr); string(body) != "from-a\n" {
		t.Errorf("cp to -: note holds %q", body)
	}
	// In from a tar, and between containers.
	in, err := tarBytes([]tarEntry{{name: "dir/", typ: tar.TypeDir, mode: 0o755}, {name: "dir/hello", mode: 0o644, body: []byte("hi from tar\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if r, err := e.exec(string(in), "cp", "-", "b:/tmp"); err != nil || r.code != 0 {
		t.Fatalf("cp - b:/tmp: %s (%v)", r, err)
	}
	runScript(t, e, []scriptLine{
		line(0, `^hi from tar\n$`, "exec", "b", "cat", "/tmp/dir/hello"),
		line(0, `^$`, "cp", "a:/tmp/note", "b:/tmp/copied"),
		line(0, `^from-a\n$`, "exec", "b", "cat", "/tmp/copied"),
	})
	escape, err := tarBytes([]tarEntry{{name: "../../../../../../tmp/escaped-" + itoa(os.Getpid()), mode: 0o644, body: []byte("x")}})
	if err != nil {
		t.Fatal(err)
	}
	if r, _ := e.exec(string(escape), "cp", "-", "b:/tmp"); r.code != 125 {
		t.Errorf("cp of a tar that climbs out: %s; want exit 125", r)
	}
	if _, err := os.Stat("/tmp/escaped-" + itoa(os.Getpid())); err == nil {
		t.Error("a tar entry was written outside the copy")
	}
	if r, _ := e.exec(string(in), "cp", "-", "b:/etc/passwd"); r.code != 125 || !strings.Contains(r.stderr, "not a directory") {
		t.Errorf("cp - into a file: %s", r)
	}
}

// tzSize is the size of a host zone file, as the container must see it.
func tzSize(t *testing.T, path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		t.Skipf("no zone file %s on this host: %v", path, err)
	}
	return itoa(int(fi.Size()))
}
