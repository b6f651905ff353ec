package engine

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/lifecycle"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// StepMount is a RUN --mount, or a file a RUN needs beside its layer (a
// heredoc script). Exactly one of HostPath, CacheID, Context and Image
// says where it comes from; nothing mounted lands in the step's layer.
type StepMount struct {
	Target string // absolute in the container
	// HostPath is a file or directory this process made (a secret's
	// private copy, a script), bound as it is.
	HostPath string
	// CacheID names a directory kept between builds under burrow's data
	// directory (RUN --mount=type=cache); Owner and Mode apply when it is
	// first made.
	CacheID string
	Sharing string // SharingShared (""), SharingLocked or SharingPrivate
	Owner   *Owner
	Mode    *uint32
	// Context (the build context directory) or Image (an image ID) is the
	// root Source is resolved in, scoped to it.
	Context   string
	Image     string
	Source    string
	ReadWrite bool
	// Tmpfs is an empty tmpfs of at most TmpfsSize bytes (0: the
	// kernel's default) instead.
	Tmpfs     bool
	TmpfsSize int64
}

// withStepMounts resolves the mounts to host paths (or tmpfs), holding
// the roots of the images they come from for as long as fn runs.
func (e *Engine) withStepMounts(mounts []StepMount, fn func([]specs.Mount) error) error {
	roots := map[string]*os.File{}
	var images []string
	for _, m := range mounts {
		if m.Image != "" && roots[m.Image] == nil {
			roots[m.Image] = nil
			images = append(images, m.Image)
		}
	}
	var hold func(i int) error
	hold = func(i int) error {
		if i == len(images) {
			var held []cacheMount
			defer func() {
				for _, c := range held {
					c.release()
				}
			}()
			out, err := e.specMounts(mounts, roots, &held)
			if err != nil {
				return err
			}
			return fn(out)
		}
		return lifecycle.WithScratch(e.store, e.paths.RunRoot, images[i], func(_ string, root *os.File) error {
			roots[images[i]] = root
			return hold(i + 1)
		})
	}
	return hold(0)
}

func (e *Engine) specMounts(mounts []StepMount, roots map[string]*os.File, held *[]cacheMount) ([]specs.Mount, error) {
	var out []specs.Mount
	for _, m := range mounts {
		if m.Tmpfs {
			opts := []string{"nosuid", "nodev"}
			if m.TmpfsSize > 0 {
				opts = append(opts, fmt.Sprintf("size=%d", m.TmpfsSize))
			}
			out = append(out, specs.Mount{Destination: m.Target, Type: "tmpfs", Source: "tmpfs", Options: opts})
			continue
		}
		var src string
		var err error
		if m.CacheID != "" {
			// One cache mounted twice in a step is held once: a second
			// exclusive flock from this process would wait for the first.
			c, ok := heldCache(*held, m.CacheID)
			if !ok {
				c, err = e.holdCache(m)
				if err == nil {
					*held = append(*held, c)
				}
			}
			src = c.dir
		} else {
			src, err = e.mountSource(m, roots)
		}
		if err != nil {
			return nil, fmt.Errorf("--mount target=%s: %w", m.Target, err)
		}
		opts := []string{"rbind"}
		if !m.ReadWrite {
			opts = append(opts, "ro")
		}
		out = append(out, specs.Mount{Destination: m.Target, Type: "bind", Source: src, Options: opts})
	}
	return out, nil
}

func (e *Engine) mountSource(m StepMount, roots map[string]*os.File) (string, error) {
	switch {
	case m.HostPath != "":
		return m.HostPath, nil
	case m.Image != "":
		return lifecycle.HostPath(roots[m.Image], m.Source)
	case m.Context != "":
		fd, err := unix.Open(m.Context, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			return "", fmt.Errorf("open the build context: %w", err)
		}
		dir := os.NewFile(uintptr(fd), m.Context)
		defer dir.Close()
		p, err := lifecycle.HostPath(dir, m.Source)
		if err != nil {
			return "", fmt.Errorf("%w: %s in the build context: %v", errdefs.ErrInvalidArgument, m.Source, err)
		}
		return p, nil
	}
	return "", fmt.Errorf("%w: a mount with no source", errdefs.ErrInvalidArgument)
}

// mountStubs records what mounting will create in the container's root,
// and removes it again before the layer is committed.
type mountStubs struct {
	e       *Engine
	targets []string
	created []string
}

func (m *mountStubs) withRoot(id string, fn func(root *os.File) error) error {
	dir, err := m.e.store.Mount(id, "")
	if err != nil {
		return fmt.Errorf("mount %s: %w", id, err)
	}
	defer func() { _, _ = m.e.store.Unmount(id, false) }()
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open root of %s: %w", id, err)
	}
	root := os.NewFile(uintptr(fd), "/")
	defer root.Close()
	return fn(root)
}

func (m *mountStubs) before(id string) error {
	if len(m.targets) == 0 {
		return nil
	}
	return m.withRoot(id, func(root *os.File) (err error) {
		m.created, err = lifecycle.MissingMountPoints(root, m.targets)
		return err
	})
}

func (m *mountStubs) after(id string) error {
	if len(m.targets) == 0 {
		return nil
	}
	return m.withRoot(id, func(root *os.File) error {
		return lifecycle.RemoveMountPoints(root, m.created, m.targets)
	})
}

func heldCache(held []cacheMount, id string) (cacheMount, bool) {
	for _, c := range held {
		if c.id == id {
			return c, true
		}
	}
	return cacheMount{}, false
}
