package tests

import (
	"os"
	"path/filepath"
	"testing"
)

// testcontainersModules is where tests/setup installs testcontainers for
// Node from npm.
const testcontainersModules = "/var/cache/burrow-test/testcontainers/node_modules"

// testcontainersScript starts two GenericContainers, one waited for by a
// log line and one by its listening port, talks to each over its mapped
// port, runs an exec and stops them.
const testcontainersScript = `
const { GenericContainer, Wait } = require("testcontainers");
const httpd = (tag) => ["sh", "-c", "mkdir -p /www; echo served-by-" + tag + " > /www/index.html; echo ready; exec httpd -f -p 80 -h /www"];
(async () => {
  const byLog = await new GenericContainer("busybox").withCommand(httpd("log")).withExposedPorts(80)
    .withWaitStrategy(Wait.forLogMessage("ready")).start();
  const byPort = await new GenericContainer("busybox").withCommand(httpd("port")).withExposedPorts(80).start();
  for (const c of [byLog, byPort]) {
    const res = await fetch("http://" + c.getHost() + ":" + c.getMappedPort(80) + "/");
    console.log((await res.text()).trim());
  }
  const { output, exitCode } = await byLog.exec(["sh", "-c", "echo exec-ok; exit 4"]);
  console.log(output.trim(), exitCode);
  await byLog.stop();
  await byPort.stop();
  console.log("stopped");
})().catch((e) => { console.error(e); process.exit(1); });
`

// TestAPITestcontainersNode: testcontainers for Node, unchanged, against
// burrow's socket (its reaper, Ryuk, is off: it is an image from Docker
// Hub, and stop removes what the test made).
func TestAPITestcontainersNode(t *testing.T) {
	requireClient(t, "node", "--version")
	if _, err := os.Stat(filepath.Join(testcontainersModules, "testcontainers")); err != nil {
		t.Skipf("testcontainers for Node is not installed (tests/setup installs it from npm): %v", err)
	}
	a := startService(t)
	a.vars = append(a.vars, "NODE_PATH="+testcontainersModules, "TESTCONTAINERS_RYUK_DISABLED=true")
	if _, err := os.Stat("/.dockerenv"); err == nil {
		// testcontainers takes a host with /.dockerenv for a container
		// beside its daemon and reaches containers at the bridge network's
		// gateway (GET /networks/bridge); burrow's is in the rootless
		// namespace, and published ports are on the host's localhost.
		a.vars = append(a.vars, "TESTCONTAINERS_HOST_OVERRIDE=localhost")
	}
	r := a.client(testcontainersScript, "node", "-")
	want := "served-by-log\nserved-by-port\nexec-ok 4\nstopped\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("testcontainers-node:\n%s\nwant stdout %q", r, want)
	}
	if out := a.ok("ps", "-aq"); out != "" {
		t.Errorf("containers left: %q", out)
	}
}
