package lifecycle

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"github.com/burrow/burrow/netconf"
	"math/big"
	"time"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/health"
	"github.com/burrow/burrow/logfile"
	"github.com/burrow/burrow/network"
	"github.com/burrow/burrow/volume"
)

// Record is what burrow keeps about a container, as the storage
// container's metadata; the store writes it atomically under its lock.
type Record struct {
	Name          string            `json:"name"`
	ImageID       string            `json:"imageID"`
	ImageName     string            `json:"imageName"`
	Command       []string          `json:"command"`
	Created       time.Time         `json:"created"`
	AutoRemove    bool              `json:"autoRemove,omitempty"`
	Terminal      bool              `json:"terminal,omitempty"`
	OpenStdin     bool              `json:"openStdin,omitempty"`
	StdinOnce     bool              `json:"stdinOnce,omitempty"`
	StopSignal    string            `json:"stopSignal,omitempty"`
	StopTimeout   *int              `json:"stopTimeout,omitempty"`
	Namespaces    NamespaceModes    `json:"namespaces,omitzero"`
	Labels        map[string]string `json:"labels,omitempty"`
	RestartPolicy string            `json:"restartPolicy,omitempty"`
	RestartCount  int               `json:"restartCount,omitempty"`
	LogRotation   logfile.Rotation  `json:"logRotation,omitzero"`
	LogDriver     string            `json:"logDriver,omitempty"` // none, passthrough; "" json-file
	LogPath       string            `json:"logPath,omitempty"`   // --log-opt path=
	Timeout       int               `json:"timeout,omitempty"`   // --timeout: seconds before SIGKILL
	Limits        cgroupv2.Limits   `json:"limits,omitzero"`
	OOMKilled     bool              `json:"oomKilled,omitempty"`
	Network       string            `json:"network,omitempty"`
	Ports         []network.Port    `json:"ports,omitempty"`
	Networks      []netconf.Attach  `json:"networks,omitempty"` // user-defined networks, resolved at create
	Started       time.Time         `json:"started,omitzero"`
	Finished      time.Time         `json:"finished,omitzero"`
	ExitCode      int               `json:"exitCode"`
	Health        *health.Config    `json:"health,omitempty"`
	// Volumes are the volumes the container mounts, named and anonymous:
	// volume rm refuses them, rm -v and --rm delete the anonymous ones.
	Volumes []string `json:"volumes,omitempty"`
	// Mounts are the -v, --mount and image VOLUME mounts as resolved, for
	// --volumes-from.
	Mounts []volume.Mount `json:"mounts,omitempty"`
	// Requires are the IDs of the containers --requires named: started
	// before this one.
	Requires []string `json:"requires,omitempty"`
}

// NamespaceModes are --pid, --ipc, --uts and --cgroupns as given: "" (the
// container's own), host, container:NAME, and for IPC shareable/private.
type NamespaceModes struct {
	PID    string `json:"pid,omitempty"`
	IPC    string `json:"ipc,omitempty"`
	UTS    string `json:"uts,omitempty"`
	Cgroup string `json:"cgroup,omitempty"`
	// ShmSize is --shm-size of a shareable IPC namespace, whose /dev/shm
	// is mounted again when it starts after the holder was gone.
	ShmSize int64 `json:"shmSize,omitempty"`
}

func (r Record) encode() (string, error) {
	data, err := json.Marshal(r)
	return string(data), err
}

// DecodeRecord reads a container's metadata; records of other tools
// sharing the store decode to a zero Record.
func DecodeRecord(metadata string) Record {
	var r Record
	_ = json.Unmarshal([]byte(metadata), &r)
	return r
}

var (
	adjectives = []string{"amber", "brave", "calm", "deft", "eager", "fond", "gentle", "hardy", "keen", "lucid", "merry", "nimble", "proud", "quiet", "rapid", "sunny", "tidy", "vivid", "witty", "zesty"}
	animals    = []string{"badger", "beaver", "ferret", "gopher", "hare", "hedgehog", "marmot", "mole", "otter", "prairiedog", "rabbit", "shrew", "stoat", "vole", "weasel", "wombat", "aardvark", "armadillo", "chipmunk", "meerkat"}
)

// GenerateName makes a docker-style name for a container without --name.
func GenerateName() string {
	pick := func(words []string) string {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(words))))
		if err != nil {
			return words[0]
		}
		return words[n.Int64()]
	}
	suffix, _ := rand.Int(rand.Reader, big.NewInt(10000))
	return fmt.Sprintf("%s_%s%d", pick(adjectives), pick(animals), suffix.Int64())
}
