package network

import (
	"path/filepath"
)

// Hook returns what connects a container as it starts (for
// container.Hooks.AfterClone: given the init's PID it connects, and
// returns what waits until the network is ready) and what disconnects it
// after, also when connecting failed.
func Hook(b Backend, m Mode, r Request) (connect func(pid int) (func() error, error), disconnect func()) {
	var att Attachment
	connect = func(pid int) (func() error, error) {
		r.Pid = pid
		a, err := b.Connect(m, r)
		if err != nil {
			return nil, err
		}
		att = a
		return a.Ready, nil
	}
	disconnect = func() {
		if att != nil {
			_ = att.Stop()
		}
	}
	return connect, disconnect
}

// StateDir is where a container's network files go (pasta's namespace
// file, the port driver's socket): short, because a unix socket path has
// at most 107 bytes.
func StateDir(runRoot, id string) string {
	if len(id) > 12 {
		id = id[:12]
	}
	return filepath.Join(runRoot, "net", id)
}
