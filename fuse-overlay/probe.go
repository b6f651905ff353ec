package fuseoverlay

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/burrow/burrow/atomicfile"
	"github.com/burrow/burrow/hostbin"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Driver names as containers/storage knows them, plus how they are mounted.
const (
	Native = "overlay"        // kernel overlay in the user namespace
	Fuse   = "fuse-overlayfs" // storage's overlay driver with mount_program
	VFS    = "vfs"            // full copies, works everywhere
)

// Choice is the driver that was picked and why the better ones were not.
type Choice struct {
	Driver       string   `json:"driver"`
	MountProgram string   `json:"mountProgram,omitempty"`
	Rejected     []string `json:"rejected,omitempty"`
}

// StorageDriver is the containers/storage driver name for this choice.
func (c Choice) StorageDriver() string {
	if c.Driver == VFS {
		return "vfs"
	}
	return "overlay"
}

// StorageOptions are the containers/storage driver options for this choice.
func (c Choice) StorageOptions() []string {
	if c.Driver == Fuse {
		return []string{"overlay.mount_program=" + c.MountProgram}
	}
	return nil
}

// Opt holds what the probe needs; LookPath and the fuse device are
// parameters so tests can take helpers away.
type Opt struct {
	ProbeDir string // a scratch directory on the storage filesystem
	LookPath func(string) (string, error)
	FuseDev  string
}

// Probe tries the drivers in order of preference and returns the first that mounts.
func Probe(opt Opt) Choice {
	if opt.LookPath == nil {
		opt.LookPath = exec.LookPath
	}
	if opt.FuseDev == "" {
		opt.FuseDev = "/dev/fuse"
	}
	var c Choice
	if err := tryNative(opt.ProbeDir); err == nil {
		c.Driver = Native
		return c
	} else {
		c.Rejected = append(c.Rejected, fmt.Sprintf("native overlay: %v", err))
	}
	prog, err := checkFuse(opt)
	if err == nil {
		c.Driver, c.MountProgram = Fuse, prog
		return c
	}
	c.Rejected = append(c.Rejected, fmt.Sprintf("fuse-overlayfs: %v", err))
	c.Driver = VFS
	return c
}

// Parse turns a --storage-driver value into a choice, checking that its
// helper is there.
func Parse(name string, opt Opt) (Choice, error) {
	switch name {
	case Native, VFS:
		return Choice{Driver: name}, nil
	case Fuse:
		if opt.LookPath == nil {
			opt.LookPath = exec.LookPath
		}
		if opt.FuseDev == "" {
			opt.FuseDev = "/dev/fuse"
		}
		prog, err := checkFuse(opt)
		if err != nil {
			return Choice{}, fmt.Errorf("storage driver fuse-overlayfs: %w", err)
		}
		return Choice{Driver: Fuse, MountProgram: prog}, nil
	}
	return Choice{}, fmt.Errorf("unknown storage driver %q (want %s, %s or %s)", name, Native, Fuse, VFS)
}

func tryNative(dir string) (err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	probe, err := os.MkdirTemp(dir, "overlay-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(probe)
	for _, d := range []string{"lower", "upper", "work", "merged"} {
		if err := os.Mkdir(filepath.Join(probe, d), 0o700); err != nil {
			return err
		}
	}
	data := fmt.Sprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr",
		filepath.Join(probe, "lower"), filepath.Join(probe, "upper"), filepath.Join(probe, "work"))
	merged := filepath.Join(probe, "merged")
	if err := unix.Mount("overlay", merged, "overlay", 0, data); err != nil {
		return fmt.Errorf("mount: %w", err)
	}
	// A mount that succeeds but cannot take a write is no use to containers.
	werr := os.WriteFile(filepath.Join(merged, "probe"), nil, 0o600)
	if err := unix.Unmount(merged, unix.MNT_DETACH); err != nil && werr == nil {
		werr = fmt.Errorf("unmount: %w", err)
	}
	return werr
}

func checkFuse(opt Opt) (string, error) {
	prog, err := opt.LookPath("fuse-overlayfs")
	if err != nil {
		return "", fmt.Errorf("not installed (%s)", hostbin.Install("fuse-overlayfs"))
	}
	f, err := os.OpenFile(opt.FuseDev, os.O_RDWR, 0)
	if err != nil {
		return "", fmt.Errorf("open %s: %w (it should be mode 0666: sudo chmod 0666 %s)", opt.FuseDev, err, opt.FuseDev)
	}
	f.Close()
	return prog, nil
}

// Load reads a recorded choice; ok is false when none was recorded.
func Load(path string) (Choice, bool, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Choice{}, false, nil
	}
	if err != nil {
		return Choice{}, false, fmt.Errorf("read driver choice: %w", err)
	}
	var c Choice
	if err := json.Unmarshal(data, &c); err != nil || c.Driver == "" {
		// A torn or hand-edited record is re-probed rather than trusted.
		return Choice{}, false, nil
	}
	return c, true, nil
}

// Save records the choice atomically.
func Save(path string, c Choice) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(path, data, 0o600); err != nil {
		return fmt.Errorf("record driver choice: %w", err)
	}
	return nil
}

// Describe is the one-line form shown by `burrow info`.
func (c Choice) Describe() string {
	s := c.Driver
	if c.MountProgram != "" {
		s += " (" + c.MountProgram + ")"
	}
	if len(c.Rejected) > 0 {
		s += "; not used: " + strings.Join(c.Rejected, "; ")
	}
	return s
}
