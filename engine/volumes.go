package engine

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	"github.com/burrow/burrow/volume"
)

// Volume is a volume as inspect shows it (docker's field names).
type Volume = volume.Volume

// VolumeCreateOptions describe a volume to create.
type VolumeCreateOptions struct {
	Name    string // "" gives a random name
	Driver  string // "" or local
	Labels  map[string]string
	Options map[string]string // -o type=tmpfs|none, o=..., device=PATH
	// Ignore returns the volume of that name when there is one already,
	// as it is: the other options are not applied (podman's --ignore;
	// docker's create is always so).
	Ignore bool
}

// CheckVolumeCreate refuses bad options before the engine is opened.
func CheckVolumeCreate(o VolumeCreateOptions) error {
	if o.Name != "" {
		if err := volume.CheckName(o.Name); err != nil {
			return err
		}
	}
	if o.Driver != "" && o.Driver != volume.DriverLocal {
		return fmt.Errorf("%w: volume driver %q: only local is available", errdefs.ErrInvalidArgument, o.Driver)
	}
	return volume.CheckOptions(o.Options)
}

// withVolumes runs fn with the volume store locked.
func (e *Engine) withVolumes(fn func(vs *volume.Store) error) error {
	vs, err := lifecycle.Volumes(e.store)
	if err != nil {
		return err
	}
	unlock, err := vs.Lock()
	if err != nil {
		return err
	}
	defer unlock()
	return fn(vs)
}

// CreateVolume makes a volume; a name in use is errdefs.ErrNameInUse.
func (e *Engine) CreateVolume(o VolumeCreateOptions) (Volume, error) {
	var v Volume
	err := e.withVolumes(func(vs *volume.Store) (err error) {
		if o.Ignore && o.Name != "" {
			if v, err = vs.Get(o.Name); !errors.Is(err, errdefs.ErrVolumeUnknown) {
				return err
			}
		}
		v, err = vs.Create(volume.CreateOpt{Name: o.Name, Driver: o.Driver, Labels: o.Labels, Options: o.Options})
		return err
	})
	if err == nil {
		e.volumeEvent("create", v.Name)
	}
	return v, err
}

// InspectVolume reads one volume.
func (e *Engine) InspectVolume(name string) (Volume, error) {
	vs, err := lifecycle.Volumes(e.store)
	if err != nil {
		return Volume{}, err
	}
	return vs.Get(name)
}

// VolumeListOptions filter a volume list: name=SUBSTRING,
// label=KEY[=VALUE], dangling=true|false, driver=NAME.
type VolumeListOptions struct {
	Filters []string
}

// VolumeEntry is a listed volume with the containers that use it.
type VolumeEntry struct {
	Volume
	Users []string
}

// Volumes lists the volumes that pass every filter, by name.
func (e *Engine) Volumes(o VolumeListOptions) ([]VolumeEntry, error) {
	match, err := volumeFilter(o.Filters)
	if err != nil {
		return nil, err
	}
	var out []VolumeEntry
	err = e.withVolumes(func(vs *volume.Store) (err error) {
		out, err = e.matchingVolumes(vs, match)
		return err
	})
	return out, err
}

// matchingVolumes are the volumes that pass match, each with the
// containers that use it, by name. Called with the volume store locked.
func (e *Engine) matchingVolumes(vs *volume.Store, match func(VolumeEntry) bool) ([]VolumeEntry, error) {
	all, err := vs.List()
	if err != nil {
		return nil, err
	}
	users, err := lifecycle.VolumeUsers(e.store, "")
	if err != nil {
		return nil, err
	}
	var out []VolumeEntry
	for _, v := range all {
		if ent := (VolumeEntry{Volume: v, Users: users[v.Name]}); match(ent) {
			out = append(out, ent)
		}
	}
	return out, nil
}

func volumeFilter(filters []string) (func(VolumeEntry) bool, error) {
	var tests []func(VolumeEntry) bool
	for _, f := range filters {
		key, val, _ := strings.Cut(f, "=")
		switch key {
		case "name":
			tests = append(tests, func(v VolumeEntry) bool { return strings.Contains(v.Name, val) })
		case "driver":
			tests = append(tests, func(v VolumeEntry) bool { return v.Driver == val })
		case "label":
			k, want, hasValue := strings.Cut(val, "=")
			tests = append(tests, func(v VolumeEntry) bool {
				got, ok := v.Labels[k]
				return ok && (!hasValue || got == want)
			})
		case "dangling":
			want := val == "true" || val == "1"
			if !want && val != "false" && val != "0" {
				return nil, fmt.Errorf("%w: --filter %s: want dangling=true or false", errdefs.ErrInvalidArgument, f)
			}
			tests = append(tests, func(v VolumeEntry) bool { return (len(v.Users) == 0) == want })
		default:
			return nil, fmt.Errorf("%w: --filter %s: name=, label=, dangling=, driver= are known", errdefs.ErrInvalidArgument, f)
		}
	}
	return func(v VolumeEntry) bool {
		return !slices.ContainsFunc(tests, func(t func(VolumeEntry) bool) bool { return !t(v) })
	}, nil
}

// RemoveVolume deletes a volume no container uses; with force, the
// containers that use it are removed first (as podman does). They are
// removed without the volume lock: a --rm container's own cleanup takes
// it, and waiting for that under the lock would wait for ever.
func (e *Engine) RemoveVolume(name string, force bool) error {
	if force {
		var users []string
		err := e.withVolumes(func(vs *volume.Store) error {
			all, err := lifecycle.VolumeUsers(e.store, "")
			users = all[name]
			return err
		})
		if err != nil {
			return err
		}
		for _, ref := range users {
			if err := e.Remove(ref, RemoveOptions{Force: true}); err != nil && !errors.Is(err, errdefs.ErrContainerUnknown) {
				return fmt.Errorf("volume rm -f %s: %w", name, err)
			}
		}
	}
	return e.withVolumes(func(vs *volume.Store) error {
		if _, err := vs.Get(name); err != nil {
			return err
		}
		users, err := lifecycle.VolumeUsers(e.store, "")
		if err != nil {
			return err
		}
		if len(users[name]) > 0 {
			return fmt.Errorf("volume %s is used by container %s: remove it first or use volume rm -f: %w",
				name, strings.Join(users[name], ", "), errdefs.ErrInUse)
		}
		if err := vs.Remove(name); err != nil {
			return err
		}
		e.volumeEvent("remove", name)
		return nil
	})
}

// VolumePruneOptions narrow a prune with the list's filters (label=,
// name=, driver=); unused volumes that pass them all are removed.
type VolumePruneOptions struct {
	Filters []string
}

// PruneVolumes removes every unused volume that passes the filters and
// returns their names.
func (e *Engine) PruneVolumes(o VolumePruneOptions) ([]string, error) {
	match, err := volumeFilter(o.Filters)
	if err != nil {
		return nil, err
	}
	var gone []string
	err = e.withVolumes(func(vs *volume.Store) error {
		matching, err := e.matchingVolumes(vs, match)
		if err != nil {
			return err
		}
		for _, v := range matching {
			if len(v.Users) > 0 {
				continue
			}
			if err := vs.Remove(v.Name); err != nil {
				return err
			}
			e.volumeEvent("prune", v.Name)
			gone = append(gone, v.Name)
		}
		return nil
	})
	return gone, err
}

// ExportVolume writes a volume's content as a tar.
func (e *Engine) ExportVolume(name string, w io.Writer) error {
	v, err := e.InspectVolume(name)
	if err != nil {
		return err
	}
	return volume.Export(v, w)
}

// ImportVolume unpacks a tar into a volume.
func (e *Engine) ImportVolume(name string, r io.Reader) error {
	v, err := e.InspectVolume(name)
	if err != nil {
		return err
	}
	return volume.Import(v, r)
}

// MountPoint is a container's mount as docker's inspect shows it.
type MountPoint struct {
	Type        string `json:"Type"` // bind, volume, tmpfs
	Name        string `json:"Name,omitempty"`
	Source      string `json:"Source"`
	Destination string `json:"Destination"`
	Driver      string `json:"Driver,omitempty"`
	Mode        string `json:"Mode"`
	RW          bool   `json:"RW"`
	Propagation string `json:"Propagation"`
}

// MountPoints lists the container's -v, --mount, --volumes-from and image
// VOLUME mounts; a volume removed since shows without its source.
func (e *Engine) MountPoints(c Container) []MountPoint {
	out := []MountPoint{}
	for _, m := range c.Record.Mounts {
		p := MountPoint{Type: string(m.Kind), Destination: m.Destination, RW: !m.ReadOnly, Source: m.Source}
		var modes []string
		for _, o := range m.Options {
			if strings.Contains(o, "private") || strings.Contains(o, "slave") || strings.Contains(o, "shared") || strings.Contains(o, "bindable") {
				p.Propagation = o
			} else {
				modes = append(modes, o)
			}
		}
		if m.ReadOnly {
			modes = append(modes, "ro")
		}
		if m.Relabel != "" {
			modes = append(modes, m.Relabel)
		}
		p.Mode = strings.Join(modes, ",")
		if m.Kind == volume.KindVolume {
			p.Name, p.Driver, p.Source = m.Source, volume.DriverLocal, ""
			if v, err := e.InspectVolume(m.Source); err == nil {
				p.Source = v.Mountpoint
			}
		}
		if m.Kind == volume.KindBind && p.Propagation == "" {
			p.Propagation = "rprivate"
		}
		out = append(out, p)
	}
	return out
}

// VolumeSize adds up the sizes of the files in a volume's own directory,
// as docker's prune and df report them; a host directory (device=) or a
// tmpfs holds nothing of burrow's and counts 0. What the user cannot read
// is left out: the sum is a lower bound.
func (e *Engine) VolumeSize(v Volume) int64 {
	if !v.CopiesUp() {
		return 0
	}
	var n int64
	_ = filepath.WalkDir(v.Mountpoint, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
