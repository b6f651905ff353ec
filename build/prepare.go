package build

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
	"go.podman.io/storage/pkg/archive"
)

// Plan is a checked build: the parsed file, the stages to build and the
// context's ignore rules.
type Plan struct {
	opt    Options
	stages []instructions.Stage
	last   int // the index of the stage the build ends with
	meta   []string
	lex    *shell.Lex
	escape rune
	ignore *patternmatcher.PatternMatcher
	used   map[string]bool // build arguments some ARG declared
	// platform is --platform when it is not the host's (emulated).
	platform string
	// made lists the images this build recorded, in order; with
	// --layers=false they go once the result is squashed.
	made []string
}

func invalid(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errdefs.ErrInvalidArgument, fmt.Sprintf(format, a...))
}

// Prepare parses and checks a build without the store: a bad file, a
// missing target, context or COPY source fails here, before anything
// exists.
func Prepare(o Options) (*Plan, error) {
	if err := CheckContext(o.ContextDir); err != nil {
		return nil, err
	}
	res, err := parser.Parse(bytes.NewReader(o.Dockerfile))
	if err != nil {
		return nil, invalid("%s: %v", o.DockerfileName, err)
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, invalid("%s: %v", o.DockerfileName, err)
	}
	if len(stages) == 0 {
		return nil, invalid("%s: no FROM instruction", o.DockerfileName)
	}
	p := &Plan{opt: o, stages: stages, last: len(stages) - 1, lex: shell.NewLex(res.EscapeToken), escape: res.EscapeToken, used: map[string]bool{}}
	// --platform is the platform of every stage without its own.
	globalRuns := slices.ContainsFunc(stages, func(st instructions.Stage) bool { return st.Platform == "" && runs(st) })
	if p.platform, err = checkPlatform(o.Platform, binfmtDir, globalRuns); err != nil {
		return nil, err
	}
	if o.Target != "" {
		i, ok := instructions.HasStage(stages, o.Target)
		if !ok {
			return nil, invalid("target stage %q not found in %s", o.Target, o.DockerfileName)
		}
		p.last = i
	}
	if p.meta, err = p.metaArgs(metaArgs); err != nil {
		return nil, err
	}
	if p.ignore, err = readIgnore(o.ContextDir, o.DockerfilePath); err != nil {
		return nil, err
	}
	for i := 0; i <= p.last; i++ {
		if err := p.checkSources(stages[i]); err != nil {
			return nil, err
		}
		if err := p.checkStagePlatform(stages[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CheckContext refuses a build context that is not a directory.
func CheckContext(dir string) error {
	if isGitURL(dir) || isURL(dir) {
		return invalid("build context %s: a git repository or URL as the context is not supported: clone or download it and give the directory", dir)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return invalid("build context %s: not a directory", dir)
	}
	return nil
}

// metaArgs resolves the ARGs before the first FROM, which only FROM lines
// see (and stage ARGs without a value inherit).
func (p *Plan) metaArgs(args []instructions.ArgCommand) ([]string, error) {
	var env []string
	for _, a := range args {
		for _, kv := range a.Args {
			p.used[kv.Key] = true
			if v, ok := p.opt.BuildArgs[kv.Key]; ok {
				env = append(env, kv.Key+"="+v)
				continue
			}
			if kv.Value == nil {
				continue
			}
			v, err := p.expand(*kv.Value, env)
			if err != nil {
				return nil, invalid("ARG %s: %v", kv.Key, err)
			}
			env = append(env, kv.Key+"="+v)
		}
	}
	return env, nil
}

func (p *Plan) expand(word string, env []string) (string, error) {
	res, err := p.lex.ProcessWordWithMatches(word, shell.EnvsFromSlice(env))
	return res.Result, err
}

// readIgnore reads the Dockerfile's own ignore file (NAME.dockerignore
// or NAME.containerignore beside it), else the context's
// .containerignore, else its .dockerignore.
func readIgnore(dir, dockerfile string) (*patternmatcher.PatternMatcher, error) {
	var candidates []string
	if dockerfile != "" {
		candidates = append(candidates, dockerfile+".containerignore", dockerfile+".dockerignore")
	}
	candidates = append(candidates, filepath.Join(dir, ".containerignore"), filepath.Join(dir, ".dockerignore"))
	for _, name := range candidates {
		f, err := os.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		patterns, err := ignorefile.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, invalid("%s: %v", name, err)
		}
		pm, err := patternmatcher.New(patterns)
		if err != nil {
			return nil, invalid("%s: %v", name, err)
		}
		return pm, nil
	}
	return nil, nil
}

// ignored says whether .dockerignore leaves a context path out.
func (p *Plan) ignored(rel string) bool {
	if p.ignore == nil || rel == "." {
		return false
	}
	skip, err := p.ignore.MatchesOrParentMatches(filepath.ToSlash(rel))
	if err != nil || !skip {
		return false
	}
	// Only a directory can hold what an exception brings back. Its kind,
	// looked up by name, only decides whether to look inside: what is
	// copied is read through descriptors.
	st, err := os.Lstat(filepath.Join(p.opt.ContextDir, rel))
	return err != nil || !st.IsDir() || !p.mayReinclude(filepath.ToSlash(rel))
}

// mayReinclude says whether an exception ("!docs/keep.md") could bring
// back something below an ignored directory, which must then be walked
// rather than skipped whole: the exception's text up to its first
// wildcard and the directory's path are one a prefix of the other.
func (p *Plan) mayReinclude(dir string) bool {
	if !p.ignore.Exclusions() {
		return false
	}
	for _, pat := range p.ignore.Patterns() {
		if !pat.Exclusion() {
			continue
		}
		lit := pat.String()
		if i := strings.IndexAny(lit, "*?[\\"); i >= 0 {
			lit = lit[:i]
		}
		if strings.HasPrefix(dir+"/", lit) || strings.HasPrefix(lit, dir+"/") {
			return true
		}
	}
	return false
}

// checkSources finds every context source of the stage's COPY and ADD
// lines, expanded with the arguments and ENV values the file itself sets
// (a base image's ENV is not known yet; Run checks again).
func (p *Plan) checkSources(st instructions.Stage) error {
	env := append([]string(nil), p.meta...)
	for _, c := range st.Commands {
		switch c := c.(type) {
		case *instructions.ArgCommand:
			for _, kv := range c.Args {
				if v, ok := p.opt.BuildArgs[kv.Key]; ok {
					env = append(env, kv.Key+"="+v)
				} else if kv.Value != nil {
					env = append(env, kv.Key+"="+*kv.Value)
				}
			}
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				env = append(env, kv.Key+"="+kv.Value)
			}
		case *instructions.CopyCommand:
			if c.From != "" {
				continue
			}
			if err := p.checkCopy(c.String(), c.SourcePaths, env, false); err != nil {
				return err
			}
		case *instructions.AddCommand:
			if err := p.checkCopy(c.String(), c.SourcePaths, env, true); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Plan) checkCopy(line string, sources []string, env []string, add bool) error {
	var expanded []string
	for _, s := range sources {
		v, err := p.expand(s, env)
		if err != nil {
			return invalid("%s: %v", line, err)
		}
		if add {
			if err := refuseGit(line, v); err != nil {
				return err
			}
			if isURL(v) {
				continue
			}
		}
		expanded = append(expanded, v)
	}
	_, err := p.contextSources(line, expanded)
	return err
}

// contextSources resolves COPY sources (globs allowed) to paths relative
// to the context, refusing any that leaves it.
func (p *Plan) contextSources(line string, sources []string) ([]string, error) {
	var out []string
	for _, s := range sources {
		if strings.Contains(s, "://") {
			return nil, invalid("%s: %s: a URL is a source for ADD only", line, s)
		}
		rel := filepath.Clean(s)
		if filepath.IsAbs(rel) {
			rel = strings.TrimPrefix(rel, "/")
			if rel == "" {
				rel = "."
			}
		}
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return nil, invalid("%s: %s is outside the build context", line, s)
		}
		if !strings.ContainsAny(rel, "*?[") {
			if _, err := os.Lstat(filepath.Join(p.opt.ContextDir, rel)); err != nil || p.ignored(rel) {
				return nil, invalid("%s: %s: no such file or directory in the build context", line, s)
			}
			out = append(out, rel)
			continue
		}
		matches, err := filepath.Glob(filepath.Join(p.opt.ContextDir, rel))
		if err != nil {
			return nil, invalid("%s: %v", line, err)
		}
		n := len(out)
		for _, m := range matches {
			r, err := filepath.Rel(p.opt.ContextDir, m)
			if err == nil && !p.ignored(r) {
				out = append(out, r)
			}
		}
		if len(out) == n {
			return nil, invalid("%s: no file in the build context matches %s", line, s)
		}
	}
	return out, nil
}

// checkStagePlatform refuses a FROM --platform this machine cannot run.
func (p *Plan) checkStagePlatform(st instructions.Stage) error {
	if st.Platform == "" {
		return nil
	}
	v, err := p.expand(st.Platform, append(slices.Clone(p.meta), platformArgs()...))
	if err != nil {
		return invalid("%s: %v", st.SourceCode, err)
	}
	_, err = checkPlatform(v, binfmtDir, runs(st))
	return err
}

// ExtractContext unpacks a build context sent as a tar (plain or
// compressed) into a new directory under TMPDIR.
func ExtractContext(r io.Reader) (string, error) {
	dir, err := os.MkdirTemp("", "context-")
	if err != nil {
		return "", err
	}
	if err := archive.Untar(r, dir, &archive.TarOptions{NoLchown: true}); err != nil {
		os.RemoveAll(dir)
		return "", invalid("the build context on stdin: %v", err)
	}
	return dir, nil
}
