package cgroupv2

import (
	"os"
	"path/filepath"
)

// Manager finds the delegated directory a container's cgroup goes in.
// Implementations: cgroupfs (the caller's own cgroup is delegated),
// systemd (ask the user manager for a Delegate=yes scope), none.
type Manager interface {
	Name() string
	// Delegate returns the directory for container id; the systemd
	// manager moves the calling process into a new scope to get one.
	Delegate(id string) (Delegation, error)
}

type cgroupfs struct{ d Delegation }

func (m cgroupfs) Name() string                        { return "cgroupfs" }
func (m cgroupfs) Delegate(string) (Delegation, error) { return m.d, nil }

type systemd struct {
	host    Host
	hostUID int
}

func (m systemd) Name() string { return "systemd" }

func (m systemd) Delegate(id string) (Delegation, error) {
	if len(id) > 12 {
		id = id[:12]
	}
	if err := EnterScope("burrow-"+id+".scope", m.hostUID); err != nil {
		return Delegation{}, err
	}
	base, err := m.host.Base()
	if err != nil {
		return Delegation{}, err
	}
	return Delegated(base)
}

type none struct{ why error }

func (m none) Name() string                        { return "none" }
func (m none) Delegate(string) (Delegation, error) { return Delegation{}, m.why }

// Choose picks the manager: cgroupfs when the caller's cgroup is already
// delegated, else systemd when a user bus is there, else none (with why).
func Choose(host Host, hostUID int) Manager {
	base, err := host.Base()
	if err == nil {
		var d Delegation
		if d, err = Delegated(base); err == nil {
			return cgroupfs{d}
		}
	}
	if userBus() {
		return systemd{host: host, hostUID: hostUID}
	}
	return none{err}
}

// userBus reports whether a session bus (hence a systemd user manager) is
// there to ask, without waiting on a connection that cannot succeed.
func userBus() bool {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return true
	}
	_, err := os.Stat(filepath.Join(os.Getenv("XDG_RUNTIME_DIR"), "bus"))
	return err == nil
}
