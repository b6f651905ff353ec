package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/burrow/burrow/bridge"
	"github.com/burrow/burrow/ctrstate"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/netconf"
	"go.podman.io/storage"
	"golang.org/x/sys/unix"
)

// NetworkUsers are the containers (any state) whose record names the network.
func NetworkUsers(s storage.Store, runRoot, netID string) ([]Container, error) {
	all, err := List(s, runRoot)
	if err != nil {
		return nil, err
	}
	var out []Container
	for _, c := range all {
		if slices.ContainsFunc(c.Record.Networks, func(a netconf.Attach) bool { return a.Network.ID == netID }) {
			out = append(out, c)
		}
	}
	return out, nil
}

// RemoveNetwork deletes a network that no container uses; with force it
// removes those containers first, as podman does.
func RemoveNetwork(s storage.Store, runRoot string, ns netconf.Store, n netconf.Network, force bool) error {
	users, err := NetworkUsers(s, runRoot, n.ID)
	if err != nil {
		return err
	}
	if len(users) > 0 && !force {
		var names []string
		for _, c := range users {
			names = append(names, c.Record.Name)
		}
		return fmt.Errorf("network %s is used by %s: remove them first or use -f: %w", n.Name, strings.Join(names, ", "), errdefs.ErrInvalidArgument)
	}
	for _, c := range users {
		if err := Remove(s, runRoot, c, true); err != nil {
			return err
		}
	}
	return ns.Remove(n.Name)
}

// ConnectNetwork puts a container on one more network and records it. A
// running container joins now; a created or stopped one joins at its next
// start, as docker does (compose connects a service's further networks
// between create and start).
func ConnectNetwork(s storage.Store, runRoot string, c Container, a netconf.Attach) error {
	if len(c.Record.Networks) == 0 {
		return fmt.Errorf("container %s has --network %s, not a user-defined network: %w", c.Record.Name, c.Record.Network, errdefs.ErrInvalidArgument)
	}
	for _, have := range c.Record.Networks {
		if have.Network.ID == a.Network.ID {
			return fmt.Errorf("container %s is already on network %s: %w", c.Record.Name, a.Network.Name, errdefs.ErrInvalidArgument)
		}
	}
	if c.Running {
		opt := bridge.Opt{RunRoot: runRoot, ID: c.ID, Name: c.Record.Name, Attach: []netconf.Attach{a}}
		if err := bridge.Connect(opt, c.Pid); err != nil {
			return err
		}
	}
	old := c.Record.Networks
	c.Record.Networks = append(slices.Clip(c.Record.Networks), a)
	if err := setRecordAndState(s, runRoot, c); err != nil {
		return err
	}
	return updateResolv(s, c.ID, old, c.Record.Networks)
}

// DisconnectNetwork takes a container off a network (live when it runs).
func DisconnectNetwork(s storage.Store, runRoot string, c Container, n netconf.Network) error {
	i := slices.IndexFunc(c.Record.Networks, func(a netconf.Attach) bool { return a.Network.ID == n.ID })
	if i < 0 {
		return fmt.Errorf("container %s is not on network %s: %w", c.Record.Name, n.Name, errdefs.ErrInvalidArgument)
	}
	if c.Running {
		if err := bridge.Disconnect(runRoot, c.ID, n.ID); err != nil {
			return err
		}
	}
	old := slices.Clone(c.Record.Networks)
	c.Record.Networks = slices.Delete(c.Record.Networks, i, i+1)
	if err := setRecordAndState(s, runRoot, c); err != nil {
		return err
	}
	return updateResolv(s, c.ID, old, c.Record.Networks)
}

// updateResolv points the container's resolv.conf at the responders of its
// networks after a change. The file is written in place: the container
// has it bind-mounted, and a restart binds the same file again.
func updateResolv(s storage.Store, id string, old, now []netconf.Attach) error {
	runDir, err := s.ContainerRunDirectory(id)
	if err != nil {
		return err
	}
	path := filepath.Join(runDir, "resolv.conf")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // --network container:, or made before the file
	}
	if err != nil {
		return fmt.Errorf("the container's resolv.conf: %w", err)
	}
	content, changed := swapNameservers(string(data), nameservers(old), nameservers(now))
	if !changed {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC|unix.O_NOFOLLOW, 0)
	if err == nil {
		_, err = f.WriteString(content)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return fmt.Errorf("update the container's resolv.conf: %w", err)
	}
	return nil
}

// setRecordAndState records changed networks for the next start and, for
// a container a monitor owns, for that monitor's next restart.
func setRecordAndState(s storage.Store, runRoot string, c Container) error {
	if err := setRecord(s, c); err != nil {
		return err
	}
	if !c.Owned {
		return nil
	}
	if err := ctrstate.WriteNetworks(runRoot, c.ID, c.Record.Networks); err != nil {
		return fmt.Errorf("record networks of %s for its restarts: %w", c.Record.Name, err)
	}
	return nil
}

func setRecord(s storage.Store, c Container) error {
	meta, err := c.Record.encode()
	if err != nil {
		return err
	}
	if err := s.SetMetadata(c.ID, meta); err != nil {
		return fmt.Errorf("record networks of %s: %w", c.Record.Name, err)
	}
	return nil
}
