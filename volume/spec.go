package volume

import (
	"encoding/csv"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
)

// Kind is what a mount brings into the container.
type Kind string

const (
	KindBind   Kind = "bind"   // a host path
	KindVolume Kind = "volume" // a named volume, or an anonymous one (Source "")
	KindTmpfs  Kind = "tmpfs"  // a fresh tmpfs
)

// Mount is one -v or --mount value, parsed and checked on its own.
type Mount struct {
	Kind         Kind
	Source       string // host path (bind), volume name ("" anonymous), "" (tmpfs)
	Destination  string
	ReadOnly     bool
	NoCopy       bool   // no copy-up of the image's content into an empty volume
	Chown        bool   // U: the source is chowned to the container's user
	Overlay      bool   // O: an overlay with the host directory as its lower layer
	Relabel      string // z or Z: SELinux relabel, shared or private
	NonRecursive bool   // a bind of the source alone, without mounts below it
	// Options are mount options passed on: nosuid, nodev, noexec and their
	// opposites, propagation, and for tmpfs size= and mode=.
	Options []string
}

var propagations = map[string]bool{"private": true, "rprivate": true, "shared": true, "rshared": true,
	"slave": true, "rslave": true, "unbindable": true, "runbindable": true}

var flagWords = map[string]bool{"suid": true, "nosuid": true, "exec": true, "noexec": true, "dev": true, "nodev": true}

// ParseVolume reads -v: SRC:DST[:OPTS] where SRC is an absolute host path
// or a volume name, or DST alone for an anonymous volume.
func ParseVolume(v string) (Mount, error) {
	bad := func(why string) (Mount, error) {
		return Mount{}, fmt.Errorf("%w: -v %q: %s", errdefs.ErrInvalidArgument, v, why)
	}
	parts := strings.Split(v, ":")
	var m Mount
	switch len(parts) {
	case 1:
		m = Mount{Kind: KindVolume, Destination: parts[0]}
	case 2, 3:
		m = Mount{Kind: KindVolume, Source: parts[0], Destination: parts[1]}
	default:
		return bad("want [SOURCE:]DESTINATION[:OPTIONS]")
	}
	switch {
	case filepath.IsAbs(m.Source):
		m.Kind, m.Source = KindBind, filepath.Clean(m.Source)
	case len(parts) > 1 && CheckName(m.Source) != nil:
		return bad("the source is neither an absolute host path nor a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]*)")
	}
	if !path.IsAbs(m.Destination) {
		return bad("the destination must be an absolute path in the container")
	}
	m.Destination = path.Clean(m.Destination)
	if len(parts) == 3 {
		for _, o := range strings.Split(parts[2], ",") {
			if err := m.option(o); err != nil {
				return bad(err.Error())
			}
		}
	}
	if err := m.check(); err != nil {
		return bad(err.Error())
	}
	return m, nil
}

// option applies one -v option word.
func (m *Mount) option(o string) error {
	switch {
	case o == "ro" || o == "rw":
		m.ReadOnly = o == "ro"
	case o == "z" || o == "Z":
		m.Relabel = o
	case o == "U":
		m.Chown = true
	case o == "O":
		m.Overlay = true
	case o == "nocopy":
		m.NoCopy = true
	case o == "copy":
		m.NoCopy = false
	case flagWords[o] || propagations[o]:
		m.Options = append(m.Options, o)
	case o == "idmap" || strings.HasPrefix(o, "idmap="):
		return fmt.Errorf("option %s: idmapped mounts need root on the host (the kernel refuses them to a user namespace for host file systems)", o)
	default:
		return fmt.Errorf("unknown option %q (ro, rw, z, Z, U, O, nocopy, [no]suid, [no]exec, [no]dev, propagation are known)", o)
	}
	return nil
}

// check holds the rules between options.
func (m *Mount) check() error {
	switch {
	case m.Overlay && m.Kind != KindBind:
		return errors.New("the option O needs a host directory as the source")
	case m.NoCopy && m.Kind != KindVolume:
		return errors.New("nocopy applies to volumes")
	case m.Kind == KindTmpfs && (m.Chown || m.Relabel != ""):
		return errors.New("the options U, z and Z need a source")
	case m.Overlay && m.ReadOnly:
		return errors.New("the options O and ro conflict: an overlay exists to be written")
	}
	return nil
}

// ParseMount reads docker's --mount type=bind|volume|tmpfs,src=,dst=,...
func ParseMount(v string) (Mount, error) {
	bad := func(why string) (Mount, error) {
		return Mount{}, fmt.Errorf("%w: --mount %q: %s", errdefs.ErrInvalidArgument, v, why)
	}
	fields, err := csv.NewReader(strings.NewReader(v)).Read()
	if err != nil {
		return bad(err.Error())
	}
	m := Mount{Kind: KindVolume}
	var hasSource bool
	var tmpfs []string
	for _, f := range fields {
		key, val, hasVal := strings.Cut(f, "=")
		key = strings.ToLower(strings.TrimSpace(key))
		var err error
		switch key {
		case "type":
			m.Kind = Kind(val)
			if m.Kind != KindBind && m.Kind != KindVolume && m.Kind != KindTmpfs {
				err = fmt.Errorf("type %q (bind, volume, tmpfs are known)", val)
			}
		case "source", "src":
			m.Source, hasSource = val, true
		case "destination", "dst", "target":
			m.Destination = val
		case "readonly", "ro":
			m.ReadOnly, err = boolOption(key, val, hasVal)
		case "volume-nocopy":
			m.NoCopy, err = boolOption(key, val, hasVal)
		case "bind-nonrecursive":
			m.NonRecursive, err = boolOption(key, val, hasVal)
		case "u", "chown":
			m.Chown, err = boolOption(key, val, hasVal)
		case "bind-propagation":
			if !propagations[val] {
				err = fmt.Errorf("bind-propagation %q (private, rprivate, shared, rshared, slave, rslave are known)", val)
			}
			m.Options = append(m.Options, val)
		case "relabel":
			m.Relabel, err = relabel(val)
		case "tmpfs-size":
			tmpfs = append(tmpfs, "size="+val)
		case "tmpfs-mode":
			_, err = strconv.ParseUint(val, 8, 32)
			tmpfs = append(tmpfs, "mode="+val)
		case "volume-driver":
			if val != DriverLocal {
				err = fmt.Errorf("volume-driver %q: only local is available", val)
			}
		case "consistency": // a Docker Desktop hint with no meaning on Linux
		default:
			err = fmt.Errorf("unknown option %q", key)
		}
		if err != nil {
			return bad(err.Error())
		}
	}
	if err := m.finishMount(hasSource, tmpfs); err != nil {
		return bad(err.Error())
	}
	return m, nil
}

func (m *Mount) finishMount(hasSource bool, tmpfs []string) error {
	if !path.IsAbs(m.Destination) {
		return errors.New("dst must be an absolute path in the container")
	}
	m.Destination = path.Clean(m.Destination)
	if len(tmpfs) > 0 && m.Kind != KindTmpfs {
		return errors.New("tmpfs-size and tmpfs-mode need type=tmpfs")
	}
	if m.NonRecursive && m.Kind != KindBind {
		return errors.New("bind-nonrecursive needs type=bind")
	}
	switch m.Kind {
	case KindTmpfs:
		if hasSource {
			return errors.New("a tmpfs mount takes no source")
		}
		m.Options = append(m.Options, tmpfs...)
	case KindBind:
		if !filepath.IsAbs(m.Source) {
			return errors.New("type=bind needs src=ABSOLUTE-HOST-PATH")
		}
		m.Source = filepath.Clean(m.Source)
	case KindVolume:
		for _, o := range m.Options {
			if propagations[o] {
				return errors.New("bind-propagation needs type=bind")
			}
		}
		if m.Source != "" {
			if err := CheckName(m.Source); err != nil {
				return err
			}
		}
	}
	return m.check()
}

func boolOption(key, val string, hasVal bool) (bool, error) {
	if !hasVal {
		return true, nil
	}
	b, err := strconv.ParseBool(val)
	if err != nil {
		return false, fmt.Errorf("%s=%q: want true or false", key, val)
	}
	return b, nil
}

func relabel(val string) (string, error) {
	switch val {
	case "shared":
		return "z", nil
	case "private":
		return "Z", nil
	}
	return "", fmt.Errorf("relabel=%q (shared or private)", val)
}
