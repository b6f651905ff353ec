package dockerapi

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/image"
)

func (s *Server) listImages(w http.ResponseWriter, r *http.Request) {
	imgs, err := s.eng.Images()
	if err != nil {
		fail(w, err)
		return
	}
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	out := []image.Summary{}
	for _, img := range imgs {
		if refs, ok := f["reference"]; ok && !anyNameMatches(img.Names, refs) {
			continue
		}
		out = append(out, imageSummary(img))
	}
	writeJSON(w, http.StatusOK, out)
}

func anyNameMatches(names, refs []string) bool {
	for _, ref := range refs {
		full, err := engine.NormalizeName(ref)
		for _, n := range names {
			if n == ref || (err == nil && n == full) {
				return true
			}
		}
	}
	return false
}

func imageSummary(img engine.Image) image.Summary {
	s := image.Summary{
		ID: "sha256:" + img.ID, RepoTags: img.Names, RepoDigests: []string{}, Created: img.Created.Unix(),
		Size: img.Size, Labels: map[string]string{}, Containers: -1, SharedSize: -1,
	}
	if s.RepoTags == nil {
		s.RepoTags = []string{}
	}
	for _, d := range img.Digests {
		for _, n := range img.Names {
			repo, _, _ := strings.Cut(n, ":")
			s.RepoDigests = append(s.RepoDigests, repo+"@"+d)
		}
	}
	return s
}

// pullImage is POST /images/create?fromImage=NAME&tag=TAG: a pull, its
// progress as docker's JSON message stream.
func (s *Server) pullImage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref := q.Get("fromImage")
	if ref == "" {
		fail(w, fmt.Errorf("%w: images/create needs fromImage (fromSrc is not supported)", errdefs.ErrInvalidArgument))
		return
	}
	if tag := q.Get("tag"); tag != "" {
		if strings.HasPrefix(tag, "sha256:") {
			ref += "@" + tag
		} else {
			ref += ":" + tag
		}
	}
	a, err := decodeAuth(r.Header.Get("X-Registry-Auth"))
	if err != nil {
		fail(w, err)
		return
	}
	o := registryOptions(ref, a)
	o.Platform = q.Get("platform")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	fl, _ := w.(http.Flusher)
	send := func(v map[string]any) {
		_ = enc.Encode(v)
		if fl != nil {
			fl.Flush()
		}
	}
	send(map[string]any{"status": "Pulling from " + ref})
	var id string
	err = s.locked(func() (err error) {
		id, err = s.eng.Pull(r.Context(), ref, o)
		return err
	})
	if err != nil {
		send(map[string]any{"errorDetail": map[string]string{"message": err.Error()}, "error": err.Error()})
		return
	}
	send(map[string]any{"status": "Digest: sha256:" + id})
	send(map[string]any{"status": "Status: Downloaded newer image for " + ref})
}

// splitImagePath splits /images/NAME.../VERB.
func splitImagePath(rest string) (name, verb string) {
	i := strings.LastIndexByte(rest, '/')
	if i < 0 {
		return rest, ""
	}
	return rest[:i], rest[i+1:]
}

func (s *Server) imageGet(w http.ResponseWriter, r *http.Request) {
	name, verb := splitImagePath(r.PathValue("rest"))
	img, err := s.eng.InspectImage(name)
	if err != nil {
		fail(w, err)
		return
	}
	switch verb {
	case "json":
		writeJSON(w, http.StatusOK, imageInspect(img))
	case "get":
		s.saveImages(w, r, []string{name})
	case "history":
		out := []image.HistoryResponseItem{}
		for i := len(img.Config.History) - 1; i >= 0; i-- {
			h := img.Config.History[i]
			item := image.HistoryResponseItem{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment, Tags: []string{}}
			if h.Created != nil {
				item.Created = h.Created.Unix()
			}
			out = append(out, item)
		}
		if len(out) > 0 {
			out[0].ID, out[0].Tags = "sha256:"+img.ID, img.Names
		}
		writeJSON(w, http.StatusOK, out)
	default:
		http.NotFound(w, r)
	}
}

func imageInspect(img engine.ImageDetails) map[string]any {
	cfg := img.Config
	created := ""
	if cfg.Created != nil {
		created = cfg.Created.Format(time.RFC3339Nano)
	}
	tags := img.Names
	if tags == nil {
		tags = []string{}
	}
	// docker's shape, built as a map: the image config's fields keep
	// their OCI spelling, as docker's do.
	return map[string]any{
		"Id": "sha256:" + img.ID, "RepoTags": tags, "RepoDigests": imageSummary(img.Image).RepoDigests,
		"Created": created, "Author": cfg.Author, "Architecture": cfg.Architecture, "Os": cfg.OS,
		"Size": img.Size, "Config": cfg.Config, "RootFS": map[string]any{"Type": cfg.RootFS.Type, "Layers": cfg.RootFS.DiffIDs},
		"Comment": "", "Metadata": map[string]any{},
	}
}

func (s *Server) imagePost(w http.ResponseWriter, r *http.Request) {
	name, verb := splitImagePath(r.PathValue("rest"))
	if verb == "push" {
		s.pushImage(w, r, name)
		return
	}
	if verb != "tag" {
		notServed(w, r)
		return
	}
	q := r.URL.Query()
	target := q.Get("repo")
	if t := q.Get("tag"); t != "" {
		target += ":" + t
	}
	if err := s.locked(func() error { return s.eng.Tag(name, target) }); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (s *Server) removeImage(w http.ResponseWriter, r *http.Request) {
	var removed engine.Removed
	err := s.locked(func() (err error) {
		removed, err = s.eng.RemoveImage(r.PathValue("rest"), boolParam(r, "force"))
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	out := []image.DeleteResponse{}
	for _, n := range removed.Untagged {
		out = append(out, image.DeleteResponse{Untagged: n})
	}
	if removed.Deleted != "" {
		out = append(out, image.DeleteResponse{Deleted: "sha256:" + removed.Deleted})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) pruneImages(w http.ResponseWriter, r *http.Request) {
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	all := len(f["dangling"]) > 0 && f["dangling"][0] == "false"
	var removed []string
	if err := s.locked(func() (err error) { removed, err = s.eng.PruneImages(all); return err }); err != nil {
		fail(w, err)
		return
	}
	out := []image.DeleteResponse{}
	for _, id := range removed {
		out = append(out, image.DeleteResponse{Deleted: "sha256:" + id})
	}
	writeJSON(w, http.StatusOK, map[string]any{"ImagesDeleted": out, "SpaceReclaimed": 0})
}

// saveImages writes the named images as one docker-archive.
func (s *Server) saveImages(w http.ResponseWriter, r *http.Request, names []string) {
	if len(names) == 0 {
		fail(w, fmt.Errorf("%w: images/get needs names", errdefs.ErrInvalidArgument))
		return
	}
	tmp, err := os.MkdirTemp("", "burrow-api-save-")
	if err != nil {
		fail(w, err)
		return
	}
	defer os.RemoveAll(tmp)
	file := filepath.Join(tmp, "images.tar")
	if err := s.eng.Save(r.Context(), names, file, "docker-archive", nil); err != nil {
		fail(w, err)
		return
	}
	f, err := os.Open(file)
	if err != nil {
		fail(w, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/x-tar")
	w.WriteHeader(http.StatusOK)
	_, _ = copyStream(w, f)
}

func (s *Server) getImages(w http.ResponseWriter, r *http.Request) {
	s.saveImages(w, r, r.URL.Query()["names"])
}

// loadImages is POST /images/load: an archive in the body.
func (s *Server) loadImages(w http.ResponseWriter, r *http.Request) {
	f, err := os.CreateTemp("", "burrow-api-load-*.tar")
	if err != nil {
		fail(w, err)
		return
	}
	defer os.Remove(f.Name())
	_, err = io.Copy(f, r.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fail(w, fmt.Errorf("%w: read the archive: %v", errdefs.ErrInvalidArgument, err))
		return
	}
	var loaded []string
	err = s.locked(func() (err error) { loaded, err = s.eng.Load(r.Context(), f.Name(), nil); return err })
	if err != nil {
		fail(w, fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	for _, name := range loaded {
		_ = enc.Encode(map[string]string{"stream": "Loaded image: " + name + "\n"})
	}
}
