package lifecycle

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/ocispec"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"go.podman.io/storage"
)

// ExecOpt is a command to run in a running container; empty fields take
// the container's own settings.
type ExecOpt struct {
	Args        []string
	Env         []string
	Workdir     string
	User        string
	Interactive bool
	Terminal    bool
	Preserve    []*os.File // --preserve-fds: passed on as 3, 4, ...
	// Caps is exec --cap-add, --cap-drop and --privileged, applied to the
	// container's bounding set (only those fields count).
	Caps ocispec.Security
}

// Exec runs a command in a running container in the foreground and
// returns its exit code.
func Exec(s storage.Store, c Container, opt ExecOpt) (int, error) {
	if !c.Running {
		return 0, fmt.Errorf("container %s is not running: %w", c.Record.Name, errdefs.ErrInvalidArgument)
	}
	spec, err := loadSpec(s, c.ID)
	if err != nil {
		return 0, err
	}
	proc, err := execProcess(spec, opt)
	if err != nil {
		return 0, err
	}
	req := container.ExecRequest{Process: proc, Annotations: spec.Annotations}
	return foreground(fgOpt{interactive: opt.Interactive, terminal: opt.Terminal, preserve: opt.Preserve}, func(stdio container.Stdio) (*container.Process, error) {
		return container.Exec(c.Pid, req, stdio)
	}, newTracer())
}

// execProcess derives the exec'd command's settings from the container's.
func execProcess(spec *specs.Spec, opt ExecOpt) (*specs.Process, error) {
	if len(opt.Args) == 0 {
		return nil, fmt.Errorf("exec needs a command: %w", errdefs.ErrInvalidArgument)
	}
	p := *spec.Process
	p.Args, p.Terminal = opt.Args, opt.Terminal
	p.Env = ocispec.MergeEnv(p.Env, opt.Env)
	if opt.Workdir != "" {
		p.Cwd = opt.Workdir
	}
	if opt.User != "" {
		u, err := resolveUser(spec.Root.Path, opt.User, boundPasswd(spec))
		if err != nil {
			return nil, err
		}
		p.User = specs.User{UID: uint32(u.Uid), GID: uint32(u.Gid)}
		for _, g := range u.Sgids {
			p.User.AdditionalGids = append(p.User.AdditionalGids, uint32(g))
		}
	}
	caps := opt.Caps
	if opt.User != "" || caps.Privileged || len(caps.CapAdd)+len(caps.CapDrop) > 0 {
		var bounding []string
		if p.Capabilities != nil {
			bounding = p.Capabilities.Bounding
		}
		bounding, err := ocispec.ExecBoundingSet(bounding, ocispec.Security{CapAdd: caps.CapAdd, CapDrop: caps.CapDrop, Privileged: caps.Privileged})
		if err != nil {
			return nil, err
		}
		p.Capabilities = ocispec.ProcessCaps(bounding, p.User.UID, caps.CapAdd)
	}
	return &p, nil
}

// boundPasswd is the /etc/passwd that --hostuser bound over the image's,
// "" when there is none.
func boundPasswd(spec *specs.Spec) string {
	for _, m := range spec.Mounts {
		if m.Destination == "/etc/passwd" && m.Type == "bind" {
			return m.Source
		}
	}
	return ""
}
