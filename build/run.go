package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// Run builds the plan's stages up to the target, names the result and
// returns its image ID.
func (p *Plan) Run(ctx context.Context, e *engine.Engine) (string, error) {
	results := make([]engine.StepImage, p.last+1)
	var base engine.StepImage
	for i := 0; i <= p.last; i++ {
		img, from, err := p.buildStage(ctx, e, i, results)
		if err != nil {
			p.dropMade(e, "")
			return "", err
		}
		results[i], base = img, from
	}
	id := results[p.last].ID
	if p.opt.NoLayers {
		img, err := e.SquashStep(base, results[p.last])
		if err != nil {
			p.dropMade(e, "")
			return "", err
		}
		id = img.ID
		p.dropMade(e, id)
	}
	if err := e.Built(id, p.opt.Tags); err != nil {
		return "", err
	}
	if len(p.opt.Tags) > 0 {
		p.say("COMMIT %s\n", strings.Join(p.opt.Tags, " "))
	}
	return id, nil
}

func (p *Plan) say(format string, a ...any) {
	if p.opt.Out != nil {
		fmt.Fprintf(p.opt.Out, format, a...)
	}
}

// dropMade removes the images this build recorded, but keep, with
// --layers=false (kept as cache otherwise).
func (p *Plan) dropMade(e *engine.Engine, keep string) {
	if !p.opt.NoLayers {
		return
	}
	e.RemoveStepImages(slices.DeleteFunc(p.made, func(id string) bool { return id == keep }))
}

// buildStage builds stage i; it returns the stage's image and the image
// it started from.
func (p *Plan) buildStage(ctx context.Context, e *engine.Engine, i int, done []engine.StepImage) (img, base engine.StepImage, err error) {
	st := p.stages[i]
	total := len(st.Commands) + 1
	p.say("[%d/%d] STEP 1/%d: %s\n", i+1, p.last+1, total, st.SourceCode)
	s, err := p.from(ctx, e, st, done[:i])
	if err != nil {
		return img, base, fmt.Errorf("%s: %w", st.SourceCode, err)
	}
	base = s.img
	if err := p.onBuild(ctx, e, s, done[:i]); err != nil {
		return img, base, err
	}
	for n, c := range st.Commands {
		p.say("[%d/%d] STEP %d/%d: %s\n", i+1, p.last+1, n+2, total, line(c))
		if err := p.step(ctx, e, s, c, done[:i]); err != nil {
			return img, base, fmt.Errorf("building at STEP %q%s: %w", line(c), lineNumber(c), err)
		}
	}
	if i == p.last && len(p.opt.Labels) > 0 {
		if s.cfg.Config.Labels == nil {
			s.cfg.Config.Labels = map[string]string{}
		}
		keys := slices.Sorted(func(yield func(string) bool) {
			for k := range p.opt.Labels {
				if !yield(k) {
					return
				}
			}
		})
		for _, k := range keys {
			s.cfg.Config.Labels[k] = p.opt.Labels[k]
		}
		s.pending = true
	}
	if !s.pending && s.img.ID != "" {
		return s.img, base, nil
	}
	err = p.commit(s, "", "", func(step engine.Step) (engine.StepImage, error) { return e.ConfigStep(step) }, e)
	return s.img, base, err
}

// nop is the history line of a step that runs nothing, in the form
// docker's classic builder and podman write: the instruction as the file
// wrote it, after a shell that never ran.
func nop(instruction string) string {
	return "/bin/sh -c #(nop) " + instruction
}

// line is an instruction as the file wrote it.
func line(c instructions.Command) string {
	if s, ok := c.(fmt.Stringer); ok {
		return s.String()
	}
	return c.Name()
}

func lineNumber(c instructions.Command) string {
	if loc := c.Location(); len(loc) > 0 {
		return fmt.Sprintf(" (line %d)", loc[0].Start.Line)
	}
	return ""
}

// from starts a stage on its base: scratch, an earlier stage or an image.
func (p *Plan) from(ctx context.Context, e *engine.Engine, st instructions.Stage, earlier []engine.StepImage) (*stage, error) {
	base, err := p.expand(st.BaseName, p.meta)
	if err != nil {
		return nil, invalid("%v", err)
	}
	platform := p.platform
	if st.Platform != "" {
		v, err := p.expand(st.Platform, append(slices.Clone(p.meta), platformArgs()...))
		if err != nil {
			return nil, invalid("%v", err)
		}
		if platform, err = checkPlatform(v, binfmtDir, runs(st)); err != nil {
			return nil, err
		}
	}
	s := &stage{}
	switch img, ok, err := p.baseImage(ctx, e, base, earlier, platform); {
	case err != nil:
		return nil, err
	case ok:
		s.img = img
	}
	s.cfg = cloneConfig(s.img.Config)
	// A base without PATH gets the default one, as docker's and podman's
	// builders give it: RUN and ENV PATH=...:$PATH see it.
	if !slices.ContainsFunc(s.cfg.Config.Env, func(kv string) bool { return strings.HasPrefix(kv, "PATH=") }) {
		s.cfg.Config.Env = append(s.cfg.Config.Env, "PATH="+defaultPath)
	}
	if s.img.ID == "" {
		s.cfg.OS, s.cfg.Architecture, s.cfg.RootFS.Type = "linux", runtime.GOARCH, "layers"
		if platform != "" {
			s.cfg.Architecture = strings.Split(platform, "/")[1]
		}
	}
	return s, nil
}

// defaultPath is docker's PATH for a Linux image that sets none.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// binfmtDir is where the kernel lists the foreign binaries it can run.
const binfmtDir = "/proc/sys/fs/binfmt_misc"

// platformArgs are the ARGs that a FROM --platform may name without
// declaring them, all this machine's platform.
func platformArgs() []string {
	h := hostPlatform()
	return []string{"BUILDPLATFORM=" + h, "TARGETPLATFORM=" + h, "BUILDOS=linux", "TARGETOS=linux",
		"BUILDARCH=" + runtime.GOARCH, "TARGETARCH=" + runtime.GOARCH}
}

// baseImage is stageImage for a FROM, pulled for platform when that is
// not the host's.
func (p *Plan) baseImage(ctx context.Context, e *engine.Engine, name string, earlier []engine.StepImage, platform string) (engine.StepImage, bool, error) {
	if platform == "" {
		return p.stageImage(ctx, e, name, earlier, true)
	}
	if strings.EqualFold(name, "scratch") {
		return engine.StepImage{}, false, nil
	}
	if _, ok := instructions.HasStage(p.stages[:len(earlier)], name); ok {
		return p.stageImage(ctx, e, name, earlier, true)
	}
	reg := p.opt.Registry
	reg.Platform = platform
	img, err := e.BaseImage(ctx, name, p.opt.Pull, reg)
	return img, true, err
}

// stageImage is what a FROM or COPY --from names: "scratch" (ok false,
// FROM only), a stage by name or index, or an image.
func (p *Plan) stageImage(ctx context.Context, e *engine.Engine, name string, earlier []engine.StepImage, from bool) (engine.StepImage, bool, error) {
	if from && strings.EqualFold(name, "scratch") {
		return engine.StepImage{}, false, nil
	}
	if j, ok := instructions.HasStage(p.stages[:len(earlier)], name); ok {
		return earlier[j], true, nil
	}
	var j int
	if _, err := fmt.Sscan(name, &j); err == nil && fmt.Sprint(j) == name && j >= 0 && j < len(earlier) {
		return earlier[j], true, nil
	}
	img, err := e.BaseImage(ctx, name, p.opt.Pull, p.opt.Registry)
	return img, true, err
}

// step runs one instruction of a stage.
func (p *Plan) step(ctx context.Context, e *engine.Engine, s *stage, c instructions.Command, earlier []engine.StepImage) error {
	if x, ok := c.(instructions.SupportsSingleWordExpansion); ok {
		if err := x.Expand(func(w string) (string, error) { return p.expand(w, s.env()) }); err != nil {
			return invalid("%v", err)
		}
	}
	if x, ok := c.(instructions.SupportsSingleWordExpansionRaw); ok {
		// Heredoc bodies expand variables only: quotes stay as written.
		raw := shell.NewLex(p.escape)
		raw.SkipProcessQuotes = true
		err := x.ExpandRaw(func(w string) (string, error) {
			res, err := raw.ProcessWordWithMatches(w, shell.EnvsFromSlice(s.env()))
			return res.Result, err
		})
		if err != nil {
			return invalid("%v", err)
		}
	}
	if a, ok := c.(*instructions.ArgCommand); ok {
		return p.arg(s, a)
	}
	_, ok, err := s.applyConfig(c)
	if err != nil {
		return invalid("%v", err)
	}
	if ok {
		s.cfg.History = append(s.cfg.History, engine.History{CreatedBy: nop(line(c)), EmptyLayer: true})
		s.pending = true
		return nil
	}
	switch c := c.(type) {
	case *instructions.RunCommand:
		return p.run(ctx, e, s, c, earlier)
	case *instructions.CopyCommand:
		return p.copy(ctx, e, s, copyLine{line: c.String(), from: c.From, sources: c.SourcePaths, dest: c.DestPath, chown: c.Chown, chmod: c.Chmod, contents: c.SourceContents}, earlier)
	case *instructions.AddCommand:
		return p.copy(ctx, e, s, copyLine{line: c.String(), sources: c.SourcePaths, dest: c.DestPath, chown: c.Chown, chmod: c.Chmod, contents: c.SourceContents, add: true, checksum: c.Checksum, unpack: c.Unpack}, earlier)
	}
	return invalid("%s is not supported", c.Name())
}

// env is what a step's words are expanded with: the ARGs, then ENV,
// which wins over an ARG of the same name.
func (s *stage) env() []string {
	return append(slices.Clone(s.args), s.cfg.Config.Env...)
}

func (p *Plan) arg(s *stage, a *instructions.ArgCommand) error {
	var parts []string
	for _, kv := range a.Args {
		p.used[kv.Key] = true
		v, ok := p.opt.BuildArgs[kv.Key]
		if !ok && kv.Value != nil {
			v, ok = *kv.Value, true
		}
		if !ok {
			for _, m := range p.meta {
				if k, mv, _ := strings.Cut(m, "="); k == kv.Key {
					v, ok = mv, true
				}
			}
		}
		if ok {
			s.args = setEnv(s.args, kv.Key, v)
		}
		parts = append(parts, kv.Key)
	}
	s.cfg.History = append(s.cfg.History, engine.History{CreatedBy: nop("ARG " + strings.Join(parts, " ")), EmptyLayer: true})
	s.pending = true
	return nil
}

// runArgs are the ARGs a RUN sees that ENV does not set: they are in
// its environment and, as with docker, in its history line and cache key.
func (s *stage) runArgs() []string {
	var out []string
	for _, a := range s.args {
		k, _, _ := strings.Cut(a, "=")
		if !slices.ContainsFunc(s.cfg.Config.Env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") }) {
			out = append(out, a)
		}
	}
	return out
}

// proxyArgs are the build arguments every RUN sees without an ARG,
// and that, undeclared, stay out of the history and the cache key.
var proxyArgs = []string{"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy",
	"NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"}

func (p *Plan) run(ctx context.Context, e *engine.Engine, s *stage, c *instructions.RunCommand, earlier []engine.StepImage) error {
	for _, f := range c.FlagsUsed {
		if f != "mount" && f != "network" {
			return invalid("RUN --%s is not supported", f)
		}
	}
	network := p.opt.Network
	switch n := instructions.GetNetwork(c); n {
	case instructions.NetworkNone, instructions.NetworkHost:
		network = n
	}
	r, err := p.runMounts(ctx, e, s, c, earlier)
	if err != nil {
		return err
	}
	defer r.close()
	cmd := s.commandLine(c.ShellDependantCmdLine)
	if len(c.Files) > 0 {
		if cmd, err = p.heredocCommand(s, c, r); err != nil {
			return err
		}
	}
	args := s.runArgs()
	createdBy := strings.Join(cmd, " ")
	if len(args) > 0 {
		createdBy = fmt.Sprintf("|%d %s %s", len(args), strings.Join(args, " "), createdBy)
	}
	env := append(slices.Clone(s.cfg.Config.Env), args...)
	for _, k := range proxyArgs {
		if v, ok := p.opt.BuildArgs[k]; ok && !slices.ContainsFunc(env, func(kv string) bool { return strings.HasPrefix(kv, k+"=") }) {
			env = append(env, k+"="+v)
		}
	}
	env = append(env, r.env...)
	content := ""
	if n := instructions.GetNetwork(c); n != instructions.NetworkDefault || len(r.key) > 0 {
		content = "network=" + n + "\x00" + strings.Join(r.key, "\x00")
	}
	return p.commit(s, createdBy, content, func(step engine.Step) (engine.StepImage, error) {
		img, code, err := e.RunStep(ctx, engine.RunStepOptions{Step: step, Command: cmd, Env: env, Network: network, Mounts: r.mounts})
		if err == nil && code != 0 {
			err = fmt.Errorf("command %s exited with status %d", jsonList(cmd), code)
		}
		return img, err
	}, e)
}

// commit ends a step: with a history line, it is the step's own; the
// cache key is computed, a cached image reused, else make makes one.
func (p *Plan) commit(s *stage, createdBy, content string, make func(engine.Step) (engine.StepImage, error), e *engine.Engine) error {
	if createdBy != "" {
		s.cfg.History = append(s.cfg.History, engine.History{CreatedBy: createdBy})
	}
	step := engine.Step{Parent: s.img, Config: s.cfg, CacheKey: cacheKey(s.img.ID, s.cfg, content)}
	if !p.opt.NoCache && !p.opt.NoLayers {
		if img, ok := e.CachedStep(step.CacheKey); ok {
			p.say("--> Using cache %s\n", img.ID)
			s.img, s.cfg, s.pending = img, cloneConfig(img.Config), false
			return nil
		}
	}
	img, err := make(step)
	if err != nil {
		return err
	}
	p.made = append(p.made, img.ID)
	p.say("--> %s\n", img.ID[:12])
	s.img, s.cfg, s.pending = img, cloneConfig(img.Config), false
	return nil
}

// cacheKey is what makes a step the same as an earlier one: the image it
// starts from, the configuration and history lines since (the
// instruction, with the ARGs it sees, among them) and what it copies.
func cacheKey(parent string, cfg engine.StepConfig, content string) string {
	var lines []string
	for _, h := range cfg.History {
		lines = append(lines, h.CreatedBy)
	}
	raw, _ := json.Marshal(struct {
		Parent  string
		Config  any
		History []string
		Content string
	}{parent, cfg.Config, lines, content})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// onBuild runs the ONBUILD triggers of the stage's base image before
// the stage's own steps; the new image does not keep them.
func (p *Plan) onBuild(ctx context.Context, e *engine.Engine, s *stage, earlier []engine.StepImage) error {
	triggers := s.cfg.Config.OnBuild
	if len(triggers) == 0 {
		return nil
	}
	s.cfg.Config.OnBuild, s.pending = nil, true
	for _, t := range triggers {
		p.say("--> Executing ONBUILD trigger: %s\n", t)
		c, err := parseTrigger(t)
		if err != nil {
			return err
		}
		if err := p.step(ctx, e, s, c, earlier); err != nil {
			return fmt.Errorf("ONBUILD %s: %w", t, err)
		}
	}
	return nil
}

func parseTrigger(t string) (instructions.Command, error) {
	res, err := parser.Parse(strings.NewReader(t))
	if err != nil || len(res.AST.Children) != 1 {
		return nil, invalid("the base image's ONBUILD %q: not one instruction (%v)", t, err)
	}
	v, err := instructions.ParseInstruction(res.AST.Children[0])
	if err != nil {
		return nil, invalid("the base image's ONBUILD %q: %v", t, err)
	}
	c, ok := v.(instructions.Command)
	if !ok {
		return nil, invalid("the base image's ONBUILD %q: FROM cannot be a trigger", t)
	}
	switch c.(type) {
	case *instructions.OnbuildCommand, *instructions.MaintainerCommand:
		return nil, invalid("the base image's ONBUILD %q: %s cannot be a trigger", t, c.Name())
	}
	return c, nil
}
