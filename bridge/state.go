package bridge

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/netconf"
	"golang.org/x/sys/unix"
)

// Files under $RUNROOT/netns.
const (
	dirName      = "netns"
	nsFileName   = "ns"         // bind mount of the namespace
	pidFileName  = "daemon.pid" // PID STARTTIME of the holder
	lockFileName = "lock"       // serialises IPAM and the holder's start and stop
	logFileName  = "daemon.log"
	upFileName   = "uplink"    // made by the holder once pasta's route is in
	endpointsDir = "endpoints" // one file per container and network
)

// Dir is the rootless netns's run-time directory.
func Dir(runRoot string) string { return filepath.Join(runRoot, dirName) }

func nsFile(runRoot string) string { return filepath.Join(Dir(runRoot), nsFileName) }

// Endpoint is one container on one network: what IPAM handed out and the
// names the DNS responder answers.
type Endpoint struct {
	Container string          `json:"container"`
	Name      string          `json:"name"`
	Aliases   []string        `json:"aliases,omitempty"`
	Network   netconf.Network `json:"network"`
	IP        string          `json:"ip"`
	IP6       string          `json:"ip6,omitempty"` // on a dual-stack network
	MAC       string          `json:"mac"`
	Iface     string          `json:"iface"`      // in the container
	HostIface string          `json:"host_iface"` // on the bridge
}

func endpointFile(runRoot, ctr, netID string) string {
	return filepath.Join(Dir(runRoot), endpointsDir, ctr[:min(12, len(ctr))]+"-"+netID[:12]+".json")
}

func writeEndpoint(runRoot string, ep Endpoint) error {
	data, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(Dir(runRoot), endpointsDir), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(endpointFile(runRoot, ep.Container, ep.Network.ID), data, 0o600)
}

func removeEndpoint(runRoot string, ep Endpoint) {
	_ = os.Remove(endpointFile(runRoot, ep.Container, ep.Network.ID))
}

// Endpoints reads every endpoint file (a dead owner's too), sorted.
func Endpoints(runRoot string) ([]Endpoint, error) {
	names, err := endpointNames(runRoot)
	if err != nil {
		return nil, err
	}
	var out []Endpoint
	for _, name := range names {
		if ep, ok := readEndpoint(runRoot, name); ok {
			out = append(out, ep)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].IP < out[j].IP })
	return out, nil
}

// endpointNames lists the endpoint files by name, without reading them.
func endpointNames(runRoot string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(Dir(runRoot), endpointsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var names []string
	for _, en := range entries {
		if strings.HasSuffix(en.Name(), ".json") {
			names = append(names, en.Name())
		}
	}
	return names, nil
}

func readEndpoint(runRoot, name string) (Endpoint, bool) {
	data, err := os.ReadFile(filepath.Join(Dir(runRoot), endpointsDir, name))
	if err != nil {
		return Endpoint{}, false // removed meanwhile
	}
	var ep Endpoint
	if json.Unmarshal(data, &ep) != nil || ep.Network.ID == "" {
		return Endpoint{}, false
	}
	return ep, true
}

// NetworkEndpoints are the endpoints on network netID.
func NetworkEndpoints(runRoot, netID string) []Endpoint {
	all, _ := Endpoints(runRoot)
	var out []Endpoint
	for _, ep := range all {
		if ep.Network.ID == netID {
			out = append(out, ep)
		}
	}
	return out
}

// ContainerEndpoints are a container's endpoints, in interface order. Only
// its own files are read (their names start with its ID): a command per
// container (its monitor's release, inspect) stays apart from how many
// others share the networks.
func ContainerEndpoints(runRoot, id string) []Endpoint {
	names, _ := endpointNames(runRoot)
	prefix := id[:min(12, len(id))] + "-"
	var out []Endpoint
	for _, name := range names {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		if ep, ok := readEndpoint(runRoot, name); ok && ep.Container == id {
			out = append(out, ep)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Iface < out[j].Iface })
	return out
}

// anyLive reports whether a container that a live burrow owns still has
// an endpoint. It stops at the first such, removing the dead owners'
// endpoints it meets before it (Repair, in the next command, removes the
// rest); while containers run, that is one or two files, not all of them.
func anyLive(runRoot string) bool {
	names, _ := endpointNames(runRoot)
	for _, name := range names {
		ep, ok := readEndpoint(runRoot, name)
		if !ok {
			continue
		}
		if _, alive := ownerAlive(runRoot, ep.Container); alive {
			return true
		}
		removeEndpoint(runRoot, ep)
	}
	return false
}

// ownerAlive: a live burrow (CLI or monitor) owns the container.
func ownerAlive(runRoot, id string) (ctrstate.State, bool) {
	st, ok := ctrstate.Read(runRoot, id)
	return st, ok && st.OwnerAlive()
}

// lock takes the rootless netns lock: IPAM, the holder's start and stop,
// and rule changes happen under it.
func lock(runRoot string) (func(), error) {
	if err := os.MkdirAll(Dir(runRoot), 0o700); err != nil {
		return nil, fmt.Errorf("rootless netns directory: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(Dir(runRoot), lockFileName), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("rootless netns lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("rootless netns lock: %w", err)
	}
	return func() { f.Close() }, nil
}
