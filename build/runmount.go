package build

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// Secret is a --secret: its value comes from a file or an environment
// variable of the build, and reaches only the RUN steps that mount it.
type Secret struct {
	File string
	Env  string
}

func (s Secret) value() ([]byte, error) {
	if s.File != "" {
		return os.ReadFile(s.File)
	}
	v, _ := os.LookupEnv(s.Env)
	return []byte(v), nil
}

// ParseSecret reads --secret id=ID[,src=FILE|,env=VAR][,type=file|env];
// a bare id=ID is the environment variable ID, else the file ID.
func ParseSecret(v string) (string, Secret, error) {
	var id, typ string
	var s Secret
	for _, field := range strings.Split(v, ",") {
		k, val, _ := strings.Cut(field, "=")
		switch k {
		case "id":
			id = val
		case "src", "source":
			s.File = val
		case "env":
			s.Env = val
		case "type":
			typ = val
		default:
			return "", s, invalid("--secret %q: unknown field %q (want id, src, env, type)", v, k)
		}
	}
	switch {
	case id == "":
		return "", s, invalid("--secret %q: want id=ID", v)
	case typ != "" && typ != "file" && typ != "env":
		return "", s, invalid("--secret %q: type is file or env", v)
	case s.File == "" && s.Env == "" && typ == "env":
		s.Env = id
	case s.File == "" && s.Env == "":
		if _, ok := os.LookupEnv(id); ok && typ == "" {
			s.Env = id
		} else {
			s.File = id
		}
	}
	if s.File != "" {
		if _, err := os.Stat(s.File); err != nil {
			return "", s, invalid("--secret %s: %v", id, err)
		}
	}
	return id, s, nil
}

// runMounts is what a RUN's --mount flags add: mounts, environment
// variables (secrets with env=) and what goes in the cache key (the
// flags, and the content of context binds; never a secret's value).
type runMounts struct {
	mounts []engine.StepMount
	env    []string
	key    []string
	temp   []string
}

func (r *runMounts) close() {
	for _, t := range r.temp {
		os.RemoveAll(t)
	}
}

func (p *Plan) runMounts(ctx context.Context, e *engine.Engine, s *stage, c *instructions.RunCommand, earlier []engine.StepImage) (*runMounts, error) {
	r := &runMounts{}
	for _, m := range instructions.GetMounts(c) {
		if err := p.runMount(ctx, e, s, m, earlier, r); err != nil {
			r.close()
			return nil, err
		}
	}
	return r, nil
}

func (p *Plan) runMount(ctx context.Context, e *engine.Engine, s *stage, m *instructions.Mount, earlier []engine.StepImage, r *runMounts) error {
	target := m.Target
	if target != "" && !path.IsAbs(target) {
		target = path.Join("/", s.cfg.Config.WorkingDir, target)
	}
	sm := engine.StepMount{Target: target, ReadWrite: !m.ReadOnly, Source: m.Source}
	r.key = append(r.key, fmt.Sprintf("%s from=%s src=%s target=%s rw=%v id=%s", m.Type, m.From, m.Source, target, !m.ReadOnly, m.CacheID))
	switch m.Type {
	case instructions.MountTypeBind:
		if target == "" {
			return invalid("--mount=type=bind needs a target")
		}
		if sm.Source == "" {
			sm.Source = "/"
		}
		if m.From == "" {
			if sm.ReadWrite {
				return invalid("--mount=type=bind,rw of the build context is not supported (it would write to your files)")
			}
			srcs, err := p.contextSources("RUN --mount", []string{sm.Source})
			if err != nil {
				return err
			}
			sum, err := p.digest(srcs)
			if err != nil {
				return err
			}
			sm.Context, sm.Source = p.opt.ContextDir, srcs[0]
			r.key = append(r.key, sum)
		} else {
			img, _, err := p.stageImage(ctx, e, m.From, earlier, false)
			if err != nil {
				return err
			}
			sm.Image = img.ID
			r.key = append(r.key, img.ID)
		}
	case instructions.MountTypeCache:
		if target == "" {
			return invalid("--mount=type=cache needs a target")
		}
		if m.From != "" {
			return invalid("--mount=type=cache,from= is not supported")
		}
		sm.CacheID = m.CacheID
		if sm.CacheID == "" {
			sm.CacheID = target
		}
		sm.Owner, sm.Mode = mountOwner(m)
		sm.Sharing = string(m.CacheSharing)
	case instructions.MountTypeTmpfs:
		if target == "" {
			return invalid("--mount=type=tmpfs needs a target")
		}
		sm.Tmpfs, sm.TmpfsSize, sm.Source = true, m.SizeLimit, ""
	case instructions.MountTypeSecret:
		return p.secretMount(m, sm, r)
	default:
		return invalid("--mount=type=%s is not supported", m.Type)
	}
	r.mounts = append(r.mounts, sm)
	return nil
}

func mountOwner(m *instructions.Mount) (*engine.Owner, *uint32) {
	var owner *engine.Owner
	if m.UID != nil || m.GID != nil {
		owner = &engine.Owner{}
		if m.UID != nil {
			owner.UID = int(*m.UID)
		}
		if m.GID != nil {
			owner.GID = int(*m.GID)
		}
	}
	var mode *uint32
	if m.Mode != nil {
		v := uint32(*m.Mode)
		mode = &v
	}
	return owner, mode
}

// secretMount puts a secret's value in a private file that is bound at
// the target (by default /run/secrets/ID), or in an environment
// variable; the RUN's layer gets neither.
func (p *Plan) secretMount(m *instructions.Mount, sm engine.StepMount, r *runMounts) error {
	id := m.CacheID
	if id == "" {
		id = path.Base(sm.Target)
	}
	secret, ok := p.opt.Secrets[id]
	if !ok {
		if m.Required {
			return invalid("RUN --mount=type=secret,id=%s: no --secret id=%s given", id, id)
		}
		return nil
	}
	value, err := secret.value()
	if err != nil {
		return fmt.Errorf("secret %s: %w", id, err)
	}
	if m.Env != nil {
		r.env = append(r.env, *m.Env+"="+string(value))
		if sm.Target == "" {
			return nil
		}
	}
	if sm.Target == "" {
		sm.Target = "/run/secrets/" + id
	}
	dir, err := os.MkdirTemp("", "secret-")
	if err != nil {
		return err
	}
	r.temp = append(r.temp, dir)
	file := filepath.Join(dir, "value")
	mode := os.FileMode(0o400)
	owner, m32 := mountOwner(m)
	if m32 != nil {
		mode = os.FileMode(*m32)
	}
	if err := os.WriteFile(file, value, 0o600); err != nil {
		return fmt.Errorf("secret %s: %w", id, err)
	}
	if owner != nil {
		err = os.Lchown(file, owner.UID, owner.GID)
	}
	if err == nil {
		err = os.Chmod(file, mode)
	}
	if err != nil {
		return fmt.Errorf("secret %s: %w", id, err)
	}
	sm.HostPath, sm.ReadWrite, sm.Source = file, false, ""
	r.mounts = append(r.mounts, sm)
	return nil
}
