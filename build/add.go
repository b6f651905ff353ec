package build

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow/burrow/errdefs"
	"go.podman.io/storage/pkg/archive"
)

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}

// isGitURL is a source or context docker would clone: git://, ssh://,
// git@host:path, or an http(s) URL whose path ends in .git (a #ref after).
func isGitURL(s string) bool {
	if strings.HasPrefix(s, "git://") || strings.HasPrefix(s, "ssh://") || strings.HasPrefix(s, "git@") {
		return true
	}
	u, _, _ := strings.Cut(s, "#")
	return isURL(s) && strings.HasSuffix(u, ".git")
}

// refuseGit names what is not supported rather than fetching a web page
// or looking for a file of that name.
func refuseGit(line, src string) error {
	if isGitURL(src) {
		return invalid("%s: %s is a git repository, which burrow does not clone: clone it into the build context and COPY it", line, src)
	}
	return nil
}

// staged is an ADD's sources made ready on the host: downloaded URLs or
// extracted archives in a directory of their own, copied from there.
type staged struct {
	dir     string
	sources []string
	content string
	keep    bool // owners and set-ID bits as the archive has them
}

// stageAdd prepares an ADD whose sources are URLs or local archives.
// It refuses a line that mixes them with plain files: each kind has
// its own rule for where things land. ok is false for plain sources.
func (p *Plan) stageAdd(ctx context.Context, c copyLine, local []string) (st staged, ok bool, err error) {
	urls := 0
	for _, s := range c.sources {
		if isURL(s) {
			urls++
		}
	}
	archives := 0
	if urls == 0 && (c.unpack == nil || *c.unpack) {
		for _, s := range local {
			if p.isArchiveFile(s) {
				archives++
			}
		}
	}
	switch {
	case urls == 0 && archives == 0:
		return st, false, nil
	case urls > 0 && urls < len(c.sources), archives > 0 && archives < len(local):
		return st, false, invalid("%s: mixes URLs or archives with other sources; give each its own ADD", c.line)
	}
	if st.dir, err = os.MkdirTemp("", "add-"); err != nil {
		return st, false, err
	}
	if urls > 0 {
		err = p.download(ctx, c, &st)
	} else {
		err = p.extract(local, &st)
	}
	if err != nil {
		os.RemoveAll(st.dir)
		return st, false, err
	}
	return st, true, nil
}

func (p *Plan) isArchiveFile(rel string) bool {
	f, err := os.Open(filepath.Join(p.opt.ContextDir, rel))
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	return isArchive(head[:n])
}

// extract unpacks each archive into the staging directory, whose
// contents then go into the destination directory, as docker does.
func (p *Plan) extract(local []string, st *staged) error {
	sum := sha256.New()
	for _, s := range local {
		f, err := os.Open(filepath.Join(p.opt.ContextDir, s))
		if err != nil {
			return fmt.Errorf("ADD %s: %w", s, err)
		}
		// Owners as packed: this process is root of burrow's namespace,
		// with the user's subordinate IDs mapped.
		err = archive.Untar(io.TeeReader(f, sum), st.dir, &archive.TarOptions{})
		f.Close()
		if err != nil {
			return invalid("ADD %s: extract: %v", s, err)
		}
	}
	st.sources, st.content, st.keep = []string{"."}, "archive:"+hex.EncodeToString(sum.Sum(nil)), true
	return nil
}

// download fetches each URL into the staging directory, under the last
// element of its path (or the destination's name for a lone URL whose
// destination is not a directory), mode 0600 and the server's
// Last-Modified time, as docker does. A --checksum must match.
func (p *Plan) download(ctx context.Context, c copyLine, st *staged) error {
	sum := sha256.New()
	for _, raw := range c.sources {
		u, err := url.Parse(raw)
		if err != nil {
			return invalid("ADD %s: %v", raw, err)
		}
		name := path.Base(u.Path)
		if len(c.sources) == 1 && !strings.HasSuffix(c.dest, "/") {
			name = path.Base(c.dest)
		}
		if name == "/" || name == "." || name == ".." {
			return invalid("ADD %s: cannot tell the file's name; end the destination with / or name the file", raw)
		}
		digest, err := fetch(ctx, raw, filepath.Join(st.dir, name))
		if err != nil {
			return fmt.Errorf("ADD %s: %w", raw, err)
		}
		if c.checksum != "" && c.checksum != "sha256:"+digest {
			return invalid("ADD %s: checksum sha256:%s does not match --checksum=%s", raw, digest, c.checksum)
		}
		fmt.Fprintf(sum, "%s\x00%s\x00%s\x00", raw, name, digest)
		st.sources = append(st.sources, name)
	}
	st.content = "url:" + hex.EncodeToString(sum.Sum(nil))
	return nil
}

func fetch(ctx context.Context, raw, file string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%w: the server answered %s", errdefs.ErrInvalidArgument, resp.Status)
	}
	f, err := os.OpenFile(file, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), resp.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	if t, err := http.ParseTime(resp.Header.Get("Last-Modified")); err == nil {
		_ = os.Chtimes(file, time.Now(), t)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
