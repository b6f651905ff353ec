package build

import (
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// heredocCommand is what a RUN with heredocs runs, as buildkit reads
// it: a RUN that is only a heredoc runs its body as the shell's command,
// or as a script when the body starts with "#!" (bound read-only under
// /dev/pipes, so it is in no layer); any other form goes to the shell
// whole, which reads the heredocs itself.
func (p *Plan) heredocCommand(s *stage, c *instructions.RunCommand, r *runMounts) ([]string, error) {
	if !c.PrependShell || len(c.CmdLine) != 1 {
		return nil, invalid("RUN: a heredoc needs the shell form")
	}
	if parser.MustParseHeredoc(c.CmdLine[0]) == nil {
		full := c.CmdLine[0]
		for _, f := range c.Files {
			full += "\n" + f.Data + f.Name
		}
		return append(s.shell(), full), nil
	}
	f := c.Files[0]
	data := f.Data
	if f.Chomp {
		data = parser.ChompHeredocContent(data)
	}
	if !strings.HasPrefix(data, "#!") {
		return append(s.shell(), data), nil
	}
	dir, err := os.MkdirTemp("", "heredoc-")
	if err != nil {
		return nil, err
	}
	r.temp = append(r.temp, dir)
	file := filepath.Join(dir, "script")
	if err := os.WriteFile(file, []byte(data), 0o755); err != nil {
		return nil, err
	}
	target := path.Join("/dev/pipes", path.Base("/"+f.Name))
	r.mounts = append(r.mounts, engine.StepMount{Target: target, HostPath: file})
	r.key = append(r.key, data)
	return []string{target}, nil
}

// heredocSources writes the heredoc sources of a COPY or ADD into a
// new directory, to be copied from there; names stay as the file wrote
// them.
func heredocSources(contents []instructions.SourceContent) (dir string, names []string, err error) {
	dir, err = os.MkdirTemp("", "heredoc-")
	if err != nil {
		return "", nil, err
	}
	for _, c := range contents {
		name := path.Base("/" + c.Path)
		if name == "/" || name == "." || name == ".." {
			os.RemoveAll(dir)
			return "", nil, invalid("heredoc name %q", c.Path)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(c.Data), 0o644); err != nil {
			os.RemoveAll(dir)
			return "", nil, err
		}
		names = append(names, name)
	}
	return dir, names, nil
}
