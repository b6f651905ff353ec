package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// copyLine is a COPY or ADD after expansion.
type copyLine struct {
	line, from   string
	sources      []string
	dest         string
	chown, chmod string
	contents     []instructions.SourceContent
	add          bool
	checksum     string
	unpack       *bool
}

func (p *Plan) copy(ctx context.Context, e *engine.Engine, s *stage, c copyLine, earlier []engine.StepImage) error {
	o := engine.CopyStepOptions{Dest: c.dest}
	if !path.IsAbs(o.Dest) {
		o.Dest = path.Join("/", s.cfg.Config.WorkingDir, c.dest)
		if strings.HasSuffix(c.dest, "/") || c.dest == "." {
			o.Dest += "/"
		}
	}
	var err error
	if o.Chown, err = checkChown(c.chown); err != nil {
		return err
	}
	if o.Mode, err = parseChmod(c.chmod); err != nil {
		return err
	}
	content, cleanup, err := p.copySources(ctx, e, c, earlier, &o)
	defer cleanup()
	if err != nil {
		return err
	}
	// The history names what was copied by its digest, as podman does;
	// the cache key adds the line, whose flags the history leaves out.
	createdBy := nop(fmt.Sprintf("%s %s:%s in %s ", c.keyword(), copiedKind(o), shortSum(content), c.dest))
	return p.commit(s, createdBy, c.line+"\x00"+content, func(step engine.Step) (engine.StepImage, error) {
		o.Step = step
		return e.CopyStep(o)
	}, e)
}

// copySources says where a COPY or ADD reads from (a heredoc's or an
// ADD's staging directory, an image, or the context) and returns the
// content digest for the cache key; cleanup removes what it staged.
func (p *Plan) copySources(ctx context.Context, e *engine.Engine, c copyLine, earlier []engine.StepImage, o *engine.CopyStepOptions) (content string, cleanup func(), err error) {
	cleanup = func() {}
	switch {
	case len(c.contents) > 0:
		if len(c.sources) > 0 {
			return "", cleanup, invalid("%s: mixes heredocs with other sources; give each its own line", c.line)
		}
		dir, names, err := heredocSources(c.contents)
		if err != nil {
			return "", cleanup, err
		}
		o.FromDir, o.Sources = dir, names
		content, err = digestDir(dir, names)
		return content, func() { os.RemoveAll(dir) }, err
	case c.from != "":
		img, _, err := p.stageImage(ctx, e, c.from, earlier, false)
		if err != nil {
			return "", cleanup, err
		}
		o.FromImage = img.ID
		for _, src := range c.sources {
			o.Sources = append(o.Sources, "."+path.Clean("/"+src))
		}
		return img.ID, cleanup, nil
	}
	var local []string
	for _, src := range c.sources {
		if c.add {
			if err := refuseGit(c.line, src); err != nil {
				return "", cleanup, err
			}
		}
		if !c.add || !isURL(src) {
			local = append(local, src)
		}
	}
	if local, err = p.contextSources(c.line, local); err != nil {
		return "", cleanup, err
	}
	if c.add {
		st, ok, err := p.stageAdd(ctx, c, local)
		if err != nil {
			return "", cleanup, err
		}
		if ok {
			o.FromDir, o.Sources, o.KeepOwners = st.dir, st.sources, st.keep
			if st.sources[0] == "." && !strings.HasSuffix(o.Dest, "/") {
				o.Dest += "/"
			}
			return st.content, func() { os.RemoveAll(st.dir) }, nil
		}
	}
	o.Sources, o.FromDir, o.Skip = local, p.opt.ContextDir, p.ignored
	content, err = p.digest(o.Sources)
	return content, cleanup, err
}

func (c copyLine) keyword() string {
	if c.add {
		return "ADD"
	}
	return "COPY"
}

// copiedKind is "file" for one file, "dir" for one directory, "multi"
// for several sources, as in docker's history lines.
func copiedKind(o engine.CopyStepOptions) string {
	if len(o.Sources) > 1 {
		return "multi"
	}
	if o.FromImage == "" && len(o.Sources) == 1 {
		if st, err := os.Stat(filepath.Join(o.FromDir, o.Sources[0])); err == nil && !st.IsDir() {
			return "file"
		}
	}
	return "dir"
}

// shortSum is a content digest as hex, whatever prefix it carries.
func shortSum(content string) string {
	if i := strings.LastIndexByte(content, ':'); i >= 0 {
		content = content[i+1:]
	}
	return content
}

// checkChown checks the form of --chown=USER[:GROUP]; the names are
// resolved later, in the image the step copies into.
func checkChown(v string) (string, error) {
	u, g, hasGroup := strings.Cut(v, ":")
	if v != "" && (u == "" || hasGroup && g == "" || strings.ContainsAny(v, " \t\n/")) {
		return "", invalid("--chown=%s: want USER[:GROUP], each a name or a number", v)
	}
	return v, nil
}

func parseChmod(v string) (*uint32, error) {
	if v == "" {
		return nil, nil
	}
	m, err := strconv.ParseUint(v, 8, 32)
	if err != nil || m > 0o7777 {
		return nil, invalid("--chmod=%s: want an octal mode", v)
	}
	mode := uint32(m)
	return &mode, nil
}

func isArchive(h []byte) bool {
	switch {
	case len(h) >= 262 && string(h[257:262]) == "ustar":
		return true
	case len(h) >= 2 && h[0] == 0x1f && h[1] == 0x8b, // gzip
		len(h) >= 3 && string(h[:3]) == "BZh",
		len(h) >= 6 && string(h[:6]) == "\xfd7zXZ\x00",
		len(h) >= 4 && string(h[:4]) == "\x28\xb5\x2f\xfd": // zstd
		return true
	}
	return false
}

// digest sums what a COPY from the context copies: each entry's path,
// type, mode and contents (or link target), .dockerignore applied. Its
// owner and times are not in it: COPY does not keep them.
func (p *Plan) digest(sources []string) (string, error) {
	return digestTree(p.opt.ContextDir, sources, p.ignored)
}

func digestDir(dir string, sources []string) (string, error) {
	return digestTree(dir, sources, func(string) bool { return false })
}

func digestTree(root string, sources []string, ignored func(string) bool) (string, error) {
	h := sha256.New()
	for _, src := range sources {
		err := filepath.WalkDir(filepath.Join(root, src), func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, name)
			if rel != src && ignored(rel) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%s\x00%o\x00", rel, info.Mode())
			switch {
			case info.Mode()&fs.ModeSymlink != 0:
				target, err := os.Readlink(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(h, "%s\x00", target)
			case info.Mode().IsRegular():
				f, err := os.Open(name)
				if err != nil {
					return err
				}
				_, err = io.Copy(h, f)
				f.Close()
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return "", fmt.Errorf("read the build context: %w", err)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
