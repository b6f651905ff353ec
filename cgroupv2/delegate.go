package cgroupv2

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// leaf holds the processes that were in the delegated directory: a cgroup
// with controllers enabled for its children may hold no processes itself.
const leaf = "burrow-procs"

// Delegation is a usable subtree: its directory and the controllers it offers.
type Delegation struct {
	Dir         string
	Controllers []string
}

// Delegated checks that dir is writable by the caller and lists its controllers.
func Delegated(dir string) (Delegation, error) {
	d := Delegation{Dir: dir}
	for _, f := range []string{"cgroup.procs", "cgroup.subtree_control"} {
		if err := unix.Access(filepath.Join(dir, f), unix.W_OK); err != nil {
			return d, fmt.Errorf("%w: cannot write %s (%v); %s", ErrNoDelegation, filepath.Join(dir, f), err, DelegationFix)
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return d, err
	}
	d.Controllers = strings.Fields(string(data))
	return d, nil
}

// DelegationFix says how a user gets a delegated subtree.
const DelegationFix = "run burrow inside a delegated systemd scope (systemd-run --user --scope -p Delegate=yes burrow …) " +
	"or from a login session with `sudo loginctl enable-linger $USER`; for cpu, cpuset and io add Delegate=cpu cpuset io memory pids " +
	"to a drop-in for user@.service (/etc/systemd/system/user@.service.d/delegate.conf)"

// Missing lists the needed controllers the delegation does not offer.
func (d Delegation) Missing(needed []string) []string {
	var missing []string
	for _, c := range needed {
		if !slices.Contains(d.Controllers, c) {
			missing = append(missing, c)
		}
	}
	return missing
}

// enable makes the controllers available to the children of d.Dir, first
// moving every process in d.Dir into a leaf (the no-internal-processes rule).
func (d Delegation) enable(controllers []string) error {
	if len(controllers) == 0 {
		return nil
	}
	current, err := os.ReadFile(filepath.Join(d.Dir, "cgroup.subtree_control"))
	if err != nil {
		return err
	}
	var want []string
	for _, c := range controllers {
		if !slices.Contains(strings.Fields(string(current)), c) {
			want = append(want, "+"+c)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if err := d.evacuate(); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(d.Dir, "cgroup.subtree_control"), []byte(strings.Join(want, " ")), 0); err != nil {
		return fmt.Errorf("enable %s in %s: %w", strings.Join(want, " "), d.Dir, err)
	}
	return nil
}

func (d Delegation) evacuate() error {
	dst := filepath.Join(d.Dir, leaf)
	if err := os.Mkdir(dst, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	data, err := os.ReadFile(filepath.Join(d.Dir, "cgroup.procs"))
	if err != nil {
		return err
	}
	for _, pid := range strings.Fields(string(data)) {
		// A process may exit meanwhile; that is fine.
		_ = os.WriteFile(filepath.Join(dst, "cgroup.procs"), []byte(pid), 0)
	}
	return nil
}
