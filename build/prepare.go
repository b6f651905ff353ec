package build

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// Plan is a checked build: the parsed file, the stages to build and the
// context's ignore rules.
type Plan struct {
	opt    Options
	stages []instructions.Stage
	last   int // the index of the stage the build ends with
	meta   []string
	lex    *shell.Lex
	ignore *patternmatcher.PatternMatcher
	used   map[string]bool // build arguments some ARG declared
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
	p := &Plan{opt: o, stages: stages, last: len(stages) - 1, lex: shell.NewLex(res.EscapeToken), used: map[string]bool{}}
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
	if p.ignore, err = readIgnore(o.ContextDir); err != nil {
		return nil, err
	}
	for i := 0; i <= p.last; i++ {
		if err := p.checkSources(stages[i]); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// CheckContext refuses a build context that is not a directory.
func CheckContext(dir string) error {
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

// readIgnore reads .containerignore, else .dockerignore, of the context.
func readIgnore(dir string) (*patternmatcher.PatternMatcher, error) {
	for _, name := range []string{".containerignore", ".dockerignore"} {
		f, err := os.Open(filepath.Join(dir, name))
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
	return err == nil && skip
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
			if err := p.checkCopy(c.String(), c.SourcePaths, c.SourceContents, env); err != nil {
				return err
			}
		case *instructions.AddCommand:
			if err := p.checkCopy(c.String(), c.SourcePaths, c.SourceContents, env); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Plan) checkCopy(line string, sources []string, contents []instructions.SourceContent, env []string) error {
	if len(contents) > 0 {
		return invalid("%s: heredoc sources are not supported yet", line)
	}
	var expanded []string
	for _, s := range sources {
		v, err := p.expand(s, env)
		if err != nil {
			return invalid("%s: %v", line, err)
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
			return nil, invalid("%s: URL sources are not supported yet", line)
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
