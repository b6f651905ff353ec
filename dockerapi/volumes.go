package dockerapi

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	burrowvolume "github.com/burrow/burrow/volume"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/volume"
)

// anonymousLabel is the label docker puts on the volumes it makes for one
// container; clients (docker volume ls, compose) read it.
const anonymousLabel = "com.docker.volume.anonymous"

func (s *Server) volumeRoutes() {
	m := s.mux
	m.HandleFunc("GET /volumes", s.listVolumes)
	m.HandleFunc("POST /volumes/create", s.createVolume)
	m.HandleFunc("POST /volumes/prune", s.pruneVolumes)
	m.HandleFunc("GET /volumes/{name}", s.inspectVolume)
	m.HandleFunc("DELETE /volumes/{name}", s.removeVolume)
	m.HandleFunc("GET /system/df", s.systemDF)
}

func apiVolume(v engine.Volume) volume.Volume {
	out := volume.Volume{
		Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt.Format(time.RFC3339),
		Labels: map[string]string{}, Options: map[string]string{}, Scope: "local",
	}
	for k, val := range v.Labels {
		out.Labels[k] = val
	}
	for k, val := range v.Options {
		out.Options[k] = val
	}
	if v.Anonymous {
		out.Labels[anonymousLabel] = ""
	}
	return out
}

// failVolume answers a volume error: docker's 404 for an unknown volume,
// else as fail does.
func failVolume(w http.ResponseWriter, err error) {
	if errors.Is(err, errdefs.ErrVolumeUnknown) {
		writeError(w, http.StatusNotFound, err)
		return
	}
	fail(w, err)
}

// listVolumes: docker's filters, each key=value handed to the engine,
// which ANDs them as burrow volume ls does; labels are matched here, on
// the labels docker shows, which include its label for anonymous volumes.
func (s *Server) listVolumes(w http.ResponseWriter, r *http.Request) {
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	var opts engine.VolumeListOptions
	for key, values := range f {
		for _, v := range values {
			if key != "label" {
				opts.Filters = append(opts.Filters, key+"="+v)
			}
		}
	}
	vols, err := s.eng.Volumes(opts)
	if err != nil {
		fail(w, err)
		return
	}
	resp := volume.ListResponse{Volumes: []volume.Volume{}, Warnings: []string{}}
	for _, v := range vols {
		if av := apiVolume(v.Volume); hasAllLabels(av.Labels, f["label"]) {
			resp.Volumes = append(resp.Volumes, av)
		}
	}
	writeJSON(w, http.StatusOK, resp)
}

// createVolume makes a volume; a name that exists with the same driver
// answers with that volume, as docker's create does (compose relies on
// it).
func (s *Server) createVolume(w http.ResponseWriter, r *http.Request) {
	var req volume.CreateRequest
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	if req.ClusterVolumeSpec != nil {
		writeError(w, http.StatusBadRequest, errors.New("burrow does not support cluster volumes (ClusterVolumeSpec)"))
		return
	}
	o := engine.VolumeCreateOptions{Name: req.Name, Driver: req.Driver, Labels: req.Labels, Options: req.DriverOpts}
	if err := engine.CheckVolumeCreate(o); err != nil {
		fail(w, err)
		return
	}
	var v engine.Volume
	err := s.locked(func() (err error) { v, err = s.eng.CreateVolume(o); return err })
	if errors.Is(err, errdefs.ErrNameInUse) {
		if v, err = s.eng.InspectVolume(req.Name); err == nil && req.Driver != "" && req.Driver != v.Driver {
			err = fmt.Errorf("%w: volume %s exists with driver %s", errdefs.ErrNameInUse, v.Name, v.Driver)
		}
	}
	if err != nil {
		failVolume(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, apiVolume(v))
}

func (s *Server) inspectVolume(w http.ResponseWriter, r *http.Request) {
	v, err := s.eng.InspectVolume(r.PathValue("name"))
	if err != nil {
		failVolume(w, err)
		return
	}
	writeJSON(w, http.StatusOK, apiVolume(v))
}

// removeVolume deletes a volume no container uses. As docker's, force
// does not remove the containers that use it (podman's does): it only
// makes an unknown volume no error.
func (s *Server) removeVolume(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	err := s.locked(func() error { return s.eng.RemoveVolume(name, false) })
	switch {
	case errors.Is(err, errdefs.ErrVolumeUnknown) && boolParam(r, "force"):
		err = nil
	case errors.Is(err, errdefs.ErrInUse):
		writeError(w, http.StatusConflict, fmt.Errorf("remove %s: volume is in use - [%s]", name, strings.Join(s.volumeUsers(name), ", ")))
		return
	}
	if err != nil {
		failVolume(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// volumeUsers are the IDs of the containers that use a volume, as
// docker's in-use message lists them.
func (s *Server) volumeUsers(name string) []string {
	vols, _ := s.eng.Volumes(engine.VolumeListOptions{Filters: []string{"name=" + name}})
	var ids []string
	for _, v := range vols {
		if v.Name != name {
			continue
		}
		for _, ref := range v.Users {
			if c, err := s.eng.Container(ref); err == nil {
				ref = c.ID
			}
			ids = append(ids, ref)
		}
	}
	return ids
}

// pruneVolumes removes the unused volumes that pass the filters: as
// docker's API since 1.42, only anonymous ones unless all=true; label=
// and label!= select by label. Each removal checks again, under the
// volume lock, that no container has started using the volume.
func (s *Server) pruneVolumes(w http.ResponseWriter, r *http.Request) {
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	all := false
	for key, values := range f {
		switch key {
		case "all":
			all = len(values) > 0 && (values[0] == "true" || values[0] == "1")
		case "label", "label!":
		default:
			writeError(w, http.StatusBadRequest, fmt.Errorf("invalid filter %q: volume prune knows all, label and label! filters", key))
			return
		}
	}
	opts := engine.VolumeListOptions{Filters: []string{"dangling=true"}}
	for _, l := range f["label"] {
		opts.Filters = append(opts.Filters, "label="+l)
	}
	vols, err := s.eng.Volumes(opts)
	if err != nil {
		fail(w, err)
		return
	}
	report := volume.PruneReport{VolumesDeleted: []string{}}
	for _, v := range vols {
		if (!all && !v.Anonymous) || hasAnyLabel(v.Labels, f["label!"]) {
			continue
		}
		size := s.eng.VolumeSize(v.Volume)
		err := s.locked(func() error { return s.eng.RemoveVolume(v.Name, false) })
		if errors.Is(err, errdefs.ErrInUse) || errors.Is(err, errdefs.ErrVolumeUnknown) {
			continue
		}
		if err != nil {
			fail(w, err)
			return
		}
		report.VolumesDeleted = append(report.VolumesDeleted, v.Name)
		report.SpaceReclaimed += uint64(size)
	}
	writeJSON(w, http.StatusOK, report)
}

// hasAllLabels: every label filter (KEY or KEY=VALUE) must match.
func hasAllLabels(labels map[string]string, want []string) bool {
	for _, l := range want {
		if !hasAnyLabel(labels, []string{l}) {
			return false
		}
	}
	return true
}

// hasAnyLabel: label! excludes a volume that has any of the labels (KEY
// or KEY=VALUE).
func hasAnyLabel(labels map[string]string, want []string) bool {
	for _, l := range want {
		k, v, hasValue := strings.Cut(l, "=")
		if got, ok := labels[k]; ok && (!hasValue || got == v) {
			return true
		}
	}
	return false
}

// volumeMount maps a Mount of type volume onto a --mount value. Labels
// and driver options describe the volume docker would create for the
// mount: the named volume is made with them here if it does not exist.
func volumeMount(m mount.Mount) (string, *engine.VolumeCreateOptions, error) {
	fields := []string{"type=volume", "dst=" + m.Target}
	if m.Source != "" {
		fields = append(fields, "src="+m.Source)
	}
	if m.ReadOnly {
		fields = append(fields, "readonly")
	}
	var create *engine.VolumeCreateOptions
	if vo := m.VolumeOptions; vo != nil {
		if vo.NoCopy {
			fields = append(fields, "volume-nocopy")
		}
		if vo.Subpath != "" {
			return "", nil, fmt.Errorf("%w: burrow does not support HostConfig.Mounts VolumeOptions.Subpath yet", errdefs.ErrInvalidArgument)
		}
		o := engine.VolumeCreateOptions{Name: m.Source, Labels: vo.Labels}
		if d := vo.DriverConfig; d != nil {
			o.Driver, o.Options = d.Name, d.Options
		}
		if len(o.Labels) > 0 || o.Driver != "" || len(o.Options) > 0 {
			if m.Source == "" {
				return "", nil, fmt.Errorf("%w: burrow does not support labels or driver options on an anonymous volume mount (at %s): create the volume first", errdefs.ErrInvalidArgument, m.Target)
			}
			if err := engine.CheckVolumeCreate(o); err != nil {
				return "", nil, err
			}
			create = &o
		}
	}
	var b bytes.Buffer
	cw := csv.NewWriter(&b)
	if err := cw.Write(fields); err != nil {
		return "", nil, err
	}
	cw.Flush()
	return strings.TrimSuffix(b.String(), "\n"), create, nil
}

// mountVolumes creates the named volumes that Mounts give labels or
// driver options for and that do not exist yet.
func (s *Server) mountVolumes(req container.CreateRequest) error {
	if req.HostConfig == nil {
		return nil
	}
	for _, m := range req.HostConfig.Mounts {
		if m.Type != mount.TypeVolume {
			continue
		}
		_, o, err := volumeMount(m)
		if err != nil || o == nil {
			return err
		}
		if _, err := s.eng.CreateVolume(*o); err != nil && !errors.Is(err, errdefs.ErrNameInUse) {
			return fmt.Errorf("mount %s: %w", m.Target, err)
		}
	}
	return nil
}

// volumeOptions maps Config.Volumes (anonymous volumes) and
// HostConfig.VolumesFrom onto -v and --volumes-from.
func volumeOptions(o *engine.ContainerOptions, req container.CreateRequest) {
	taken := map[string]bool{}
	if h := req.HostConfig; h != nil {
		o.VolumesFrom = h.VolumesFrom
		for _, b := range h.Binds {
			if m, err := burrowvolume.ParseVolume(b); err == nil {
				taken[m.Destination] = true
			}
		}
		for _, m := range h.Mounts {
			taken[path.Clean(m.Target)] = true
		}
		for dst := range h.Tmpfs {
			taken[path.Clean(dst)] = true
		}
	}
	// Clients (docker-py, compose) list bound paths in Config.Volumes too:
	// only the others are anonymous volumes.
	for dst := range req.Config.Volumes {
		if !taken[path.Clean(dst)] {
			o.Volumes = append(o.Volumes, dst)
		}
	}
}

// mountPoints is the container's .Mounts in docker's shape.
func (s *Server) mountPoints(c engine.Container) []container.MountPoint {
	out := []container.MountPoint{}
	for _, m := range s.eng.MountPoints(c) {
		out = append(out, container.MountPoint{
			Type: mount.Type(m.Type), Name: m.Name, Source: m.Source, Destination: m.Destination,
			Driver: m.Driver, Mode: m.Mode, RW: m.RW, Propagation: mount.Propagation(m.Propagation),
		})
	}
	return out
}
