package engine

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/ocispec"
	"github.com/burrow/burrow/store"
	"github.com/burrow/burrow/volume"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/opencontainers/selinux/go-selinux/label"
)

// readOnlyTmpfs are the directories --read-only-tmpfs keeps writable.
var readOnlyTmpfs = []string{"/tmp", "/var/tmp", "/run"}

// parseMounts reads -v, --mount and --tmpfs and checks each on its own
// and against the others, before anything exists.
func parseMounts(o ContainerOptions) ([]volume.Mount, error) {
	var out []volume.Mount
	for _, v := range o.Volumes {
		m, err := volume.ParseVolume(v)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, v := range o.Mounts {
		m, err := volume.ParseMount(v)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	for _, v := range o.Tmpfs {
		t, err := ocispec.ParseTmpfs(v)
		if err != nil {
			return nil, err
		}
		out = append(out, volume.Mount{Kind: volume.KindTmpfs, Destination: t.Destination, Options: t.Options[2:]})
	}
	if o.ReadOnly && o.ReadOnlyTmpfs {
		for _, d := range readOnlyTmpfs {
			if !slices.ContainsFunc(out, func(m volume.Mount) bool { return m.Destination == d }) {
				out = append(out, volume.Mount{Kind: volume.KindTmpfs, Destination: d, Options: []string{"mode=1777"}})
			}
		}
	}
	seen := map[string]bool{}
	for _, m := range out {
		if seen[m.Destination] {
			return nil, fmt.Errorf("%w: %s is the destination of two mounts", errdefs.ErrInvalidArgument, m.Destination)
		}
		seen[m.Destination] = true
		if m.Kind != volume.KindBind {
			continue
		}
		if _, err := os.Stat(m.Source); err != nil {
			return nil, fmt.Errorf("%w: bind source %s: %v", errdefs.ErrInvalidArgument, m.Source, err)
		}
	}
	for _, f := range o.VolumesFrom {
		if _, _, err := parseVolumesFrom(f); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseVolumesFrom reads CONTAINER[:ro|rw].
func parseVolumesFrom(v string) (name string, ro *bool, err error) {
	name, mode, hasMode := strings.Cut(v, ":")
	switch {
	case name == "":
		err = errors.New("no container given")
	case !hasMode:
	case mode == "ro" || mode == "rw":
		b := mode == "ro"
		ro = &b
	default:
		err = fmt.Errorf("mode %q (ro or rw)", mode)
	}
	if err != nil {
		return "", nil, fmt.Errorf("%w: --volumes-from %q: %v", errdefs.ErrInvalidArgument, v, err)
	}
	return name, ro, nil
}

// mountPlan is what a container's mounts need from the volume store, and
// what the engine undoes when the container could not be created.
type mountPlan struct {
	e       *Engine
	vs      *volume.Store
	mounts  []volume.Mount // resolved: every volume has its name
	volumes []volume.Volume
	made    []string // volumes this command created
}

// collectMounts adds --volumes-from and the image's VOLUMEs to the
// parsed mounts.
func (e *Engine) collectMounts(opt *lifecycle.CreateOpt, o ContainerOptions) ([]volume.Mount, error) {
	mounts := opt.VolumeMounts
	from, err := e.volumesFrom(o.VolumesFrom, mounts)
	if err != nil {
		return nil, err
	}
	mounts = append(mounts, from...)
	image, err := e.imageVolumes(opt.Image, mounts, o.ImageVolume)
	if err != nil {
		return nil, err
	}
	return append(mounts, image...), nil
}

// resolve creates the volumes that do not exist yet and fills in what
// lifecycle needs. With volumes, the caller holds the volume lock until
// the container exists; on error, undo removes what was created.
func (p *mountPlan) resolve(opt *lifecycle.CreateOpt, mounts []volume.Mount) error {
	for _, m := range mounts {
		if m.Kind == volume.KindVolume {
			v, err := p.volume(m.Source)
			if err != nil {
				return err
			}
			m.Source = v.Name
			p.volumes = append(p.volumes, v)
			opt.Volumes = append(opt.Volumes, v.Name)
		} else {
			p.volumes = append(p.volumes, volume.Volume{})
		}
		p.mounts = append(p.mounts, m)
		opt.Mounts = append(opt.Mounts, p.spec(len(p.mounts)-1))
	}
	opt.VolumeMounts = p.mounts
	if len(p.mounts) > 0 {
		opt.PrepareMounts = p.prepare
	}
	return nil
}

// volume finds or makes (first use, anonymous) the volume of a mount.
func (p *mountPlan) volume(name string) (volume.Volume, error) {
	if name != "" {
		v, err := p.vs.Get(name)
		if !errors.Is(err, errdefs.ErrVolumeUnknown) {
			return v, err
		}
	}
	v, err := p.vs.Create(volume.CreateOpt{Name: name})
	if err == nil {
		p.made = append(p.made, v.Name)
	}
	return v, err
}

// undo removes the volumes this command created for a container that
// was never made.
func (p *mountPlan) undo() {
	for _, name := range p.made {
		if err := p.vs.Remove(name); err != nil {
			p.e.warn(err.Error())
		}
	}
}

// spec is the runtime mount of p.mounts[i].
func (p *mountPlan) spec(i int) specs.Mount {
	m, v := p.mounts[i], p.volumes[i]
	var opts []string
	for _, o := range m.Options {
		if o != "suid" && o != "dev" && o != "exec" {
			opts = append(opts, o)
		}
	}
	if m.ReadOnly {
		opts = append(opts, "ro")
	}
	src := m.Source
	switch {
	case m.Kind == volume.KindTmpfs:
		return specs.Mount{Destination: m.Destination, Type: "tmpfs", Source: "tmpfs", Options: append([]string{"nosuid", "nodev"}, opts...)}
	case m.Kind == volume.KindVolume && v.IsTmpfs():
		// lifecycle mounts the volume's one tmpfs on its directory
		// before the container starts; every user binds that.
		src = v.Mountpoint
	case m.Kind == volume.KindVolume:
		src = v.Source()
	}
	bind := "rbind"
	if m.NonRecursive {
		bind = "bind"
	}
	return specs.Mount{Destination: m.Destination, Type: "bind", Source: src, Options: append([]string{bind}, opts...)}
}

// volumesFrom takes the volumes and binds of other containers, with
// their modes unless :ro or :rw says otherwise; a destination the user
// mounted already keeps the user's mount.
func (e *Engine) volumesFrom(values []string, have []volume.Mount) ([]volume.Mount, error) {
	var out []volume.Mount
	for _, f := range values {
		name, ro, err := parseVolumesFrom(f)
		if err != nil {
			return nil, err
		}
		c, err := e.Container(name)
		if err != nil {
			return nil, fmt.Errorf("--volumes-from %s: %w", name, err)
		}
		for _, m := range c.Record.Mounts {
			// A tmpfs is the container's own, and an :O mount's host
			// directory is exactly what that container was kept from writing.
			if m.Kind == volume.KindTmpfs || m.Overlay || covered(m.Destination, have, out) {
				continue
			}
			if ro != nil {
				m.ReadOnly = *ro
			}
			m.Chown = false
			out = append(out, m)
		}
	}
	return out, nil
}

// imageVolumes are anonymous volumes (--image-volume bind, the default),
// or tmpfs mounts (tmpfs), for the image's VOLUMEs that no other mount
// covers; none with ignore.
func (e *Engine) imageVolumes(ref string, have []volume.Mount, mode string) ([]volume.Mount, error) {
	if mode == "ignore" {
		return nil, nil
	}
	img, err := store.FindImage(e.store, ref)
	if err != nil {
		return nil, err
	}
	cfg, _, err := store.ConfigAndHealth(e.store, img)
	if err != nil {
		return nil, err
	}
	var out []volume.Mount
	for _, d := range slices.Sorted(mapKeys(cfg.Config.Volumes)) {
		d = filepath.Clean("/" + d)
		switch {
		case covered(d, have, out):
		case mode == "tmpfs":
			out = append(out, volume.Mount{Kind: volume.KindTmpfs, Destination: d})
		default:
			out = append(out, volume.Mount{Kind: volume.KindVolume, Destination: d})
		}
	}
	return out, nil
}

func mapKeys(m map[string]struct{}) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func covered(dest string, lists ...[]volume.Mount) bool {
	for _, l := range lists {
		for _, m := range l {
			if m.Destination == dest {
				return true
			}
		}
	}
	return false
}

// prepare runs inside lifecycle once the root is mounted and the spec
// built: SELinux relabels, copy-up into empty volumes, :U, :O.
func (p *mountPlan) prepare(id, rootfs string, spec *specs.Spec) error {
	uid, gid := int(spec.Process.User.UID), int(spec.Process.User.GID)
	var users map[string][]string
	for i, m := range p.mounts {
		v := p.volumes[i]
		src := m.Source
		if m.Kind == volume.KindVolume {
			src = v.Source()
		}
		if m.Relabel != "" && src != "" {
			if err := label.Relabel(src, spec.Linux.MountLabel, m.Relabel == "z"); err != nil {
				return fmt.Errorf("relabel %s: %w", src, err)
			}
		}
		if m.Kind == volume.KindVolume && !m.NoCopy && v.CopiesUp() {
			if users == nil {
				var err error
				if users, err = lifecycle.VolumeUsers(p.e.store, id); err != nil {
					return err
				}
			}
			if err := copyUpIfEmpty(v, rootfs, m.Destination, len(users[v.Name]) > 0); err != nil {
				return err
			}
		}
		if m.Chown && src != "" {
			if err := volume.Chown(src, uid, gid); err != nil {
				return fmt.Errorf("%w: :U on %s: %v", errdefs.ErrInvalidArgument, src, err)
			}
		}
		if m.Overlay {
			if err := p.overlay(id, i, spec); err != nil {
				return err
			}
		}
	}
	return nil
}

func copyUpIfEmpty(v volume.Volume, rootfs, dest string, shared bool) error {
	empty, err := v.Empty()
	if err != nil || !empty {
		return err
	}
	return volume.CopyUp(v, rootfs, dest, shared)
}

// overlay turns the bind of p.mounts[i] into an overlay whose lower layer
// is the host directory and whose upper layer lives with the container
// (and goes with it).
func (p *mountPlan) overlay(id string, i int, spec *specs.Spec) error {
	dir, err := p.e.store.ContainerDirectory(id)
	if err != nil {
		return err
	}
	base := filepath.Join(dir, "overlay-mounts", strconv.Itoa(i))
	upper, work := filepath.Join(base, "upper"), filepath.Join(base, "work")
	for _, d := range []string{upper, work} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return fmt.Errorf(":O on %s: %w", p.mounts[i].Destination, err)
		}
	}
	m := p.mounts[i]
	if strings.ContainsAny(m.Source, ",:") {
		return fmt.Errorf("%w: :O on %s: the host path may not hold ',' or ':'", errdefs.ErrInvalidArgument, m.Source)
	}
	for j := range spec.Mounts {
		if spec.Mounts[j].Destination == m.Destination && spec.Mounts[j].Type == "bind" {
			opts := []string{"lowerdir=" + m.Source, "upperdir=" + upper, "workdir=" + work, "userxattr"}
			for _, o := range spec.Mounts[j].Options {
				if o != "rbind" && o != "bind" && o != "ro" {
					opts = append(opts, o)
				}
			}
			spec.Mounts[j] = specs.Mount{Destination: m.Destination, Type: "overlay", Source: "overlay", Options: opts}
		}
	}
	return nil
}
