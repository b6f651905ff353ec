package monitor

import (
	"fmt"
	"time"

	"github.com/burrow/burrow/ctrstate"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Join is one namespace taken from another container.
type Join struct {
	Type specs.LinuxNamespaceType `json:"type"`
	ID   string                   `json:"id"`
}

// rejoinWait is how long a restart waits for a container it joins to run
// again while that one's monitor restarts it (its delay grows to 10 s).
const rejoinWait = 30 * time.Second

var nsFile = map[specs.LinuxNamespaceType]string{
	specs.PIDNamespace: "pid", specs.IPCNamespace: "ipc", specs.UTSNamespace: "uts", specs.NetworkNamespace: "net",
}

// rejoin points spec at the namespaces of the containers in opt.Joins as
// they run now: when one of them restarted, the path recorded at the last
// start names a process that is gone (or, later, someone else's). It waits
// up to wait for each to run, and gives up early when this container is
// stopped meanwhile.
func rejoin(opt Opt, spec *specs.Spec, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for _, j := range opt.Joins {
		pid, err := runningPid(opt, j.ID, deadline)
		if err != nil {
			return fmt.Errorf("join the %s namespace of container %.12s: %w", j.Type, j.ID, err)
		}
		setNamespacePath(spec, j.Type, fmt.Sprintf("/proc/%d/ns/%s", pid, nsFile[j.Type]))
	}
	return nil
}

// runningPid waits for id to run, as long as a live burrow owns it (its
// monitor between two starts); one that nobody owns is not coming back.
func runningPid(opt Opt, id string, deadline time.Time) (int, error) {
	for {
		st, ok := ctrstate.Read(opt.RunRoot, id)
		if ok && st.Running() {
			return st.Pid, nil
		}
		if !ok || !st.OwnerAlive() {
			return 0, fmt.Errorf("the container is not running")
		}
		if ctrstate.Stopped(opt.RunRoot, opt.ID) {
			return 0, fmt.Errorf("stopped while it waited")
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("the container is not running")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func setNamespacePath(spec *specs.Spec, t specs.LinuxNamespaceType, path string) {
	for i, ns := range spec.Linux.Namespaces {
		if ns.Type == t {
			spec.Linux.Namespaces[i].Path = path
		}
	}
}
