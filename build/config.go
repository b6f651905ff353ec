package build

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// stage is the state of one stage while it builds: the image so far, the
// configuration with the steps since (not committed yet), and the ARGs
// in scope.
type stage struct {
	img     engine.StepImage
	cfg     engine.StepConfig
	pending bool
	args    []string // K=V, in declaration order
	cmdSet  bool     // CMD given in this stage (ENTRYPOINT keeps it)
}

// cloneConfig copies what steps change, so that no step edits the
// config of the image it started from.
func cloneConfig(c engine.StepConfig) engine.StepConfig {
	c.Config.Env = slices.Clone(c.Config.Env)
	c.Config.Labels = maps.Clone(c.Config.Labels)
	c.Config.ExposedPorts = maps.Clone(c.Config.ExposedPorts)
	c.Config.Volumes = maps.Clone(c.Config.Volumes)
	c.History = slices.Clone(c.History)
	c.RootFS.DiffIDs = slices.Clone(c.RootFS.DiffIDs)
	return c
}

func setEnv(env []string, key, value string) []string {
	for i, kv := range env {
		if k, _, _ := strings.Cut(kv, "="); k == key {
			env[i] = key + "=" + value
			return env
		}
	}
	return append(env, key+"="+value)
}

func (s *stage) shell() []string {
	if len(s.cfg.Config.Shell) > 0 {
		return s.cfg.Config.Shell
	}
	return []string{"/bin/sh", "-c"}
}

// commandLine is a CMD, ENTRYPOINT or RUN as it runs: the shell form
// through the stage's SHELL.
func (s *stage) commandLine(c instructions.ShellDependantCmdLine) []string {
	if c.PrependShell {
		return append(slices.Clone(s.shell()), strings.Join(c.CmdLine, " "))
	}
	return slices.Clone(c.CmdLine)
}

func jsonList(v []string) string {
	raw, _ := json.Marshal(v)
	return string(raw)
}

// applyConfig applies an instruction that changes only the image's
// configuration and returns its history line; ok is false for the
// instructions that make a layer.
func (s *stage) applyConfig(c instructions.Command) (createdBy string, ok bool, err error) {
	cfg := &s.cfg.Config
	switch c := c.(type) {
	case *instructions.EnvCommand:
		var parts []string
		for _, kv := range c.Env {
			cfg.Env = setEnv(cfg.Env, kv.Key, kv.Value)
			parts = append(parts, kv.Key+"="+kv.Value)
		}
		return "ENV " + strings.Join(parts, " "), true, nil
	case *instructions.LabelCommand:
		var parts []string
		for _, kv := range c.Labels {
			if cfg.Labels == nil {
				cfg.Labels = map[string]string{}
			}
			cfg.Labels[kv.Key] = kv.Value
			parts = append(parts, kv.Key+"="+kv.Value)
		}
		return "LABEL " + strings.Join(parts, " "), true, nil
	case *instructions.WorkdirCommand:
		dir := c.Path
		if !path.IsAbs(dir) {
			dir = path.Join("/", cfg.WorkingDir, dir)
		}
		cfg.WorkingDir = path.Clean(dir)
		return "WORKDIR " + cfg.WorkingDir, true, nil
	case *instructions.UserCommand:
		cfg.User = c.User
		return "USER " + c.User, true, nil
	case *instructions.CmdCommand:
		cfg.Cmd, s.cmdSet = s.commandLine(c.ShellDependantCmdLine), true
		return "CMD " + jsonList(cfg.Cmd), true, nil
	case *instructions.EntrypointCommand:
		cfg.Entrypoint = s.commandLine(c.ShellDependantCmdLine)
		if !s.cmdSet {
			cfg.Cmd = nil // an inherited CMD does not suit a new ENTRYPOINT
		}
		return "ENTRYPOINT " + jsonList(cfg.Entrypoint), true, nil
	case *instructions.ExposeCommand:
		return s.expose(c.Ports)
	case *instructions.VolumeCommand:
		for _, v := range c.Volumes {
			if cfg.Volumes == nil {
				cfg.Volumes = map[string]struct{}{}
			}
			cfg.Volumes[v] = struct{}{}
		}
		return "VOLUME " + jsonList(c.Volumes), true, nil
	case *instructions.StopSignalCommand:
		cfg.StopSignal = c.Signal
		return "STOPSIGNAL " + c.Signal, true, nil
	case *instructions.ShellCommand:
		cfg.Shell = slices.Clone(c.Shell)
		return "SHELL " + jsonList(c.Shell), true, nil
	case *instructions.HealthCheckCommand:
		cfg.Healthcheck = c.Health
		return "HEALTHCHECK " + strings.Join(c.Health.Test, " "), true, nil
	case *instructions.MaintainerCommand:
		s.cfg.Author = c.Maintainer
		return "MAINTAINER " + c.Maintainer, true, nil
	case *instructions.OnbuildCommand:
		cfg.OnBuild = append(cfg.OnBuild, c.Expression)
		return "ONBUILD " + c.Expression, true, nil
	}
	return "", false, nil
}

func (s *stage) expose(ports []string) (string, bool, error) {
	cfg := &s.cfg.Config
	var shown []string
	for _, p := range ports {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		num, proto, _ := strings.Cut(p, "/")
		if num == "" || strings.Trim(num, "0123456789") != "" || (proto != "tcp" && proto != "udp" && proto != "sctp") {
			return "", true, fmt.Errorf("EXPOSE %s: want PORT[/tcp|udp|sctp]", p)
		}
		if cfg.ExposedPorts == nil {
			cfg.ExposedPorts = map[string]struct{}{}
		}
		cfg.ExposedPorts[p] = struct{}{}
		shown = append(shown, p)
	}
	return "EXPOSE " + strings.Join(shown, " "), true, nil
}
