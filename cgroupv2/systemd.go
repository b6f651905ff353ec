package cgroupv2

import (
	"context"
	"fmt"
	"strconv"
	"time"

	sddbus "github.com/coreos/go-systemd/v22/dbus"
	"github.com/godbus/dbus/v5"
)

// EnterScope asks the user's systemd (over D-Bus) for a transient scope
// with Delegate=yes holding this process: the systemd manager. Afterwards
// this process's cgroup is a delegated directory, so the cgroupfs steps
// (a leaf for the processes, a child cgroup per container) work in it, and
// systemd removes the scope once its last process is gone.
//
// hostUID is the user's uid outside burrow's user namespace: inside it the
// process is uid 0, which the bus would refuse as a claimed identity.
func EnterScope(name string, hostUID int) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := sddbus.NewConnection(func() (*dbus.Conn, error) {
		c, err := dbus.SessionBusPrivateNoAutoStartup(dbus.WithContext(ctx))
		if err != nil {
			return nil, err
		}
		if err := c.Auth([]dbus.Auth{dbus.AuthExternal(strconv.Itoa(hostUID))}); err != nil {
			c.Close()
			return nil, err
		}
		if err := c.Hello(); err != nil {
			c.Close()
			return nil, err
		}
		return c, nil
	})
	if err != nil {
		return fmt.Errorf("%w: connect to the systemd user manager: %v (is DBUS_SESSION_BUS_ADDRESS set? `loginctl enable-linger $USER` keeps one)", ErrNoDelegation, err)
	}
	defer conn.Close()
	done := make(chan string, 1)
	props := []sddbus.Property{
		sddbus.PropDescription("burrow container " + name),
		sddbus.PropPids(uint32(selfPID())),
		{Name: "Delegate", Value: dbus.MakeVariant(true)},
		{Name: "CollectMode", Value: dbus.MakeVariant("inactive-or-failed")},
	}
	if _, err := conn.StartTransientUnitContext(ctx, name, "fail", props, done); err != nil {
		return fmt.Errorf("%w: systemd scope %s: %v", ErrNoDelegation, name, err)
	}
	select {
	case result := <-done:
		if result != "done" {
			return fmt.Errorf("%w: systemd scope %s: %s", ErrNoDelegation, name, result)
		}
	case <-ctx.Done():
		return fmt.Errorf("%w: systemd scope %s: %v", ErrNoDelegation, name, ctx.Err())
	}
	return nil
}
