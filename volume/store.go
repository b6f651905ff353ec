package volume

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/names"
	"golang.org/x/sys/unix"
)

// Layout under the root: NAME/volume.json and NAME/_data; a volume is
// built in .tmp-* and renamed into place, and renamed to .rm-* before its
// tree is deleted, so a killed command leaves only dot-entries, which the
// next holder of the lock deletes.
const (
	configFile = "volume.json"
	dataDir    = "_data"
	copyUpDir  = "_copyup"      // beside _data while a copy-up runs
	copyUpDone = "_copyup.done" // a finished copy moving into a volume in use
	lockFile   = ".lock"
	tmpPrefix  = ".tmp-"
	rmPrefix   = ".rm-"
)

// Drivers and the options each takes (docker's local driver).
const (
	DriverLocal = "local"
	TypeTmpfs   = "tmpfs"
	TypeBind    = "none" // with o=bind and device=PATH
)

// Volume is a volume as docker's inspect names its fields.
type Volume struct {
	Name       string            `json:"Name"`
	Driver     string            `json:"Driver"`
	Mountpoint string            `json:"Mountpoint"`
	CreatedAt  time.Time         `json:"CreatedAt"`
	Labels     map[string]string `json:"Labels"`
	Options    map[string]string `json:"Options"`
	Scope      string            `json:"Scope"`
	// Anonymous volumes are made for one container (-v /path, an image
	// VOLUME) and go with it on rm -v and --rm.
	Anonymous bool `json:"Anonymous,omitempty"`
}

// Source is what a container mounts for the volume: a host directory to
// bind, or "" for a tmpfs volume (Options say its size and mode).
func (v Volume) Source() string {
	switch {
	case v.Options["type"] == TypeTmpfs:
		return ""
	case v.Options["device"] != "":
		return v.Options["device"]
	}
	return v.Mountpoint
}

// CopiesUp says whether image content may be copied into the volume: only
// into burrow's own directory, never into a host directory or a tmpfs.
func (v Volume) CopiesUp() bool { return v.Source() == v.Mountpoint }

// CreateOpt describes a volume to create.
type CreateOpt struct {
	Name      string // "" makes an anonymous volume with a random name
	Driver    string // "" or local
	Labels    map[string]string
	Options   map[string]string // type=tmpfs|none, o=..., device=PATH
	Anonymous bool
}

// AnonymousLabel is the label docker gives anonymous volumes.
const AnonymousLabel = "com.docker.volume.anonymous"

// Store is the volume directory.
type Store struct{ root string }

// Root is where the volumes of a burrow data directory live.
func Root(data string) string { return filepath.Join(data, "volumes") }

// Open makes the volume directory if needed.
func Open(root string) (*Store, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("volume directory: %w", err)
	}
	return &Store{root: root}, nil
}

// CheckName refuses names docker refuses: / .. spaces, over 255 bytes.
func CheckName(name string) error {
	if len(name) > 255 || !names.Valid(name) {
		return fmt.Errorf("%w: volume name %q: want [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 characters", errdefs.ErrInvalidArgument, name)
	}
	return nil
}

// Lock takes the store's lock, exclusive, and returns its release. Every
// change of the set of volumes, and every decision that a volume is
// unused, happens under it. It repairs what a killed holder left.
func (s *Store) Lock() (func(), error) {
	f, err := os.OpenFile(filepath.Join(s.root, lockFile), os.O_CREATE|os.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("volume lock: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("volume lock: %w", err)
	}
	s.repair()
	return func() { f.Close() }, nil
}

// repair deletes what killed commands left half made or half removed,
// and finishes the copy-ups they left half moved into volumes in use.
func (s *Store) repair() {
	entries, _ := os.ReadDir(s.root)
	for _, e := range entries {
		dir := filepath.Join(s.root, e.Name())
		if strings.HasPrefix(e.Name(), tmpPrefix) || strings.HasPrefix(e.Name(), rmPrefix) {
			_ = os.RemoveAll(dir)
			continue
		}
		if done := filepath.Join(dir, copyUpDone); exists(done) {
			_ = moveIn(done, filepath.Join(dir, dataDir))
		}
		if tmp := filepath.Join(dir, copyUpDir); exists(tmp) {
			_ = os.RemoveAll(tmp)
		}
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// Create makes a volume; the caller holds the lock. A name in use fails
// with errdefs.ErrNameInUse.
func (s *Store) Create(o CreateOpt) (Volume, error) {
	v, err := s.check(o)
	if err != nil {
		return v, err
	}
	if _, err := os.Lstat(filepath.Join(s.root, v.Name)); err == nil {
		return v, fmt.Errorf("volume name %q: %w", v.Name, errdefs.ErrNameInUse)
	}
	tmp, err := os.MkdirTemp(s.root, tmpPrefix)
	if err != nil {
		return v, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	defer os.RemoveAll(tmp) // a no-op once renamed
	if err := os.Mkdir(filepath.Join(tmp, dataDir), 0o755); err != nil {
		return v, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	data, err := json.Marshal(v)
	if err != nil {
		return v, err
	}
	if err := atomicfile.Write(filepath.Join(tmp, configFile), data, 0o600); err != nil {
		return v, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	// rename(2) of a directory onto a name that exists fails: the lock
	// makes that impossible here, the kernel makes it safe anyway.
	if err := os.Rename(tmp, filepath.Join(s.root, v.Name)); err != nil {
		if errors.Is(err, fs.ErrExist) || errors.Is(err, unix.ENOTEMPTY) {
			return v, fmt.Errorf("volume name %q: %w", v.Name, errdefs.ErrNameInUse)
		}
		return v, fmt.Errorf("create volume %s: %w", v.Name, err)
	}
	return v, nil
}

// check validates the options and fills in the volume they describe.
func (s *Store) check(o CreateOpt) (Volume, error) {
	v := Volume{Name: o.Name, Driver: o.Driver, Labels: o.Labels, Options: o.Options, Scope: "local",
		CreatedAt: time.Now().UTC().Truncate(time.Second), Anonymous: o.Anonymous}
	if v.Name == "" {
		v.Name = randomName()
		v.Anonymous = true
	}
	if err := CheckName(v.Name); err != nil {
		return v, err
	}
	if v.Driver == "" {
		v.Driver = DriverLocal
	}
	if v.Driver != DriverLocal {
		return v, fmt.Errorf("%w: volume driver %q: only local is available", errdefs.ErrInvalidArgument, v.Driver)
	}
	if v.Labels == nil {
		v.Labels = map[string]string{}
	}
	if v.Anonymous {
		// Docker marks its anonymous volumes so; clients filter on it.
		v.Labels[AnonymousLabel] = ""
	}
	if v.Options == nil {
		v.Options = map[string]string{}
	}
	if err := CheckOptions(v.Options); err != nil {
		return v, err
	}
	v.Mountpoint = filepath.Join(s.root, v.Name, dataDir)
	return v, nil
}

// CheckOptions checks -o values of volume create: type=tmpfs with o=
// size=,mode=,uid=,gid=; or type=none, o=bind, device=PATH (which must
// exist).
func CheckOptions(opts map[string]string) error {
	bad := func(why string) error {
		return fmt.Errorf("%w: volume options: %s", errdefs.ErrInvalidArgument, why)
	}
	for k := range opts {
		if k != "type" && k != "o" && k != "device" {
			return bad("unknown option " + k + " (type, o, device are known)")
		}
	}
	switch opts["type"] {
	case "":
		if len(opts) > 0 {
			return bad("o and device need type=tmpfs or type=none")
		}
	case TypeTmpfs:
		if opts["device"] != "" && opts["device"] != "tmpfs" {
			return bad("a tmpfs volume takes no device")
		}
		if _, err := TmpfsOptions(opts["o"]); err != nil {
			return bad(err.Error())
		}
	case TypeBind:
		if opts["o"] != "bind" && opts["o"] != "rbind" {
			return bad("type=none needs o=bind")
		}
		dev := opts["device"]
		if !filepath.IsAbs(dev) {
			return bad("o=bind needs device=ABSOLUTE-PATH")
		}
		if fi, err := os.Stat(dev); err != nil || !fi.IsDir() {
			return bad(fmt.Sprintf("device %s is not a directory", dev))
		}
	default:
		return bad("type " + opts["type"] + " (tmpfs or none are known)")
	}
	return nil
}

// TmpfsOptions checks a tmpfs o= list and returns it as mount options.
func TmpfsOptions(o string) ([]string, error) {
	var out []string
	for _, kv := range strings.Split(o, ",") {
		if kv == "" {
			continue
		}
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "size", "mode", "uid", "gid", "nr_inodes":
		case "noexec", "exec", "nosuid", "suid", "nodev", "dev", "ro", "rw":
		default:
			return nil, fmt.Errorf("tmpfs option %s (size, mode, uid, gid, nr_inodes, [no]exec, [no]suid, [no]dev are known)", kv)
		}
		out = append(out, kv)
	}
	return out, nil
}

func randomName() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Get reads one volume.
func (s *Store) Get(name string) (Volume, error) {
	var v Volume
	if err := CheckName(name); err != nil {
		return v, err
	}
	data, err := os.ReadFile(filepath.Join(s.root, name, configFile))
	if errors.Is(err, fs.ErrNotExist) {
		return v, fmt.Errorf("volume %s: %w", name, errdefs.ErrVolumeUnknown)
	}
	if err != nil {
		return v, fmt.Errorf("volume %s: %w", name, err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return v, fmt.Errorf("volume %s: %w", name, err)
	}
	v.Mountpoint = filepath.Join(s.root, name, dataDir)
	return v, nil
}

// List reads every volume, by name.
func (s *Store) List() ([]Volume, error) {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return nil, fmt.Errorf("volume directory: %w", err)
	}
	var out []Volume
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		v, err := s.Get(e.Name())
		if errors.Is(err, errdefs.ErrVolumeUnknown) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Remove deletes a volume and its data; the caller holds the lock and
// has checked that no container uses it.
func (s *Store) Remove(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	// A tmpfs volume's mount, when a killed command left it, would keep
	// its directory busy (and its files outside the tree deleted below).
	if err := unmountAll(filepath.Join(s.root, name, dataDir)); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	gone, err := os.MkdirTemp(s.root, rmPrefix)
	if err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	// Renamed first: from here on the volume is gone for every reader,
	// and a kill leaves only a dot-entry for the next lock holder.
	err = os.Rename(filepath.Join(s.root, name), filepath.Join(gone, name))
	if errors.Is(err, fs.ErrNotExist) {
		os.Remove(gone)
		return fmt.Errorf("volume %s: %w", name, errdefs.ErrVolumeUnknown)
	}
	if err != nil {
		os.Remove(gone)
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	if err := os.RemoveAll(gone); err != nil {
		return fmt.Errorf("remove volume %s: %w", name, err)
	}
	return nil
}

// Empty says whether the volume's directory holds nothing yet.
func (v Volume) Empty() (bool, error) {
	f, err := os.Open(v.Mountpoint)
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if len(names) == 0 && err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	return len(names) == 0, nil
}
