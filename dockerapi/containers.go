package dockerapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
)

func (s *Server) createContainer(w http.ResponseWriter, r *http.Request) {
	var req container.CreateRequest
	if err := decode(r, &req); err != nil {
		fail(w, err)
		return
	}
	o, err := createOptions(r.URL.Query().Get("name"), req)
	if err != nil {
		fail(w, err)
		return
	}
	var id string
	err = s.locked(func() (err error) {
		if err := s.mountVolumes(req); err != nil {
			return err
		}
		id, err = s.eng.Create(r.Context(), o)
		return err
	})
	if errors.Is(err, errdefs.ErrImageUnknown) {
		// The docker CLI pulls on this exact answer, then creates again.
		writeJSON(w, http.StatusNotFound, map[string]string{"message": "No such image: " + req.Image})
		return
	}
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, container.CreateResponse{ID: id, Warnings: []string{}})
}

func (s *Server) startContainer(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	if c.Owned {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	err = s.locked(func() error {
		_, err := s.eng.Start(c.ID, engine.StartOptions{})
		return err
	})
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func timeoutParam(r *http.Request) time.Duration {
	t := r.URL.Query().Get("t")
	if t == "" {
		t = r.URL.Query().Get("timeout")
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return engine.ContainerStopTimeout
	}
	return time.Duration(n) * time.Second
}

func (s *Server) stopContainer(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	if !c.Owned {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if err := s.eng.Stop(c.ID, timeoutParam(r)); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) restartContainer(w http.ResponseWriter, r *http.Request) {
	if err := s.eng.Restart(r.PathValue("id"), timeoutParam(r)); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) killContainer(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("signal")
	if name == "" {
		name = "KILL"
	}
	sig, err := engine.ParseSignal(name)
	if err != nil {
		fail(w, err)
		return
	}
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	if !c.Running {
		writeError(w, http.StatusConflict, fmt.Errorf("container %s is not running", r.PathValue("id")))
		return
	}
	if err := s.eng.Kill(c.ID, sig); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) pauseContainer(pause bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.eng.Pause(r.PathValue("id"), pause); err != nil {
			fail(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) renameContainer(w http.ResponseWriter, r *http.Request) {
	err := s.locked(func() error { return s.eng.Rename(r.PathValue("id"), r.URL.Query().Get("name")) })
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) removeContainer(w http.ResponseWriter, r *http.Request) {
	err := s.locked(func() error {
		return s.eng.Remove(r.PathValue("id"), engine.RemoveOptions{Force: boolParam(r, "force"), Volumes: boolParam(r, "v")})
	})
	if err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) pruneContainers(w http.ResponseWriter, _ *http.Request) {
	var removed []string
	err := s.locked(func() (err error) { removed, err = s.eng.Prune(); return err })
	if err != nil {
		fail(w, err)
		return
	}
	if removed == nil {
		removed = []string{}
	}
	writeJSON(w, http.StatusOK, container.PruneReport{ContainersDeleted: removed})
}

// waitContainer answers once the container reaches the condition:
// not-running (the default), next-exit, or removed. The headers go out at
// once, as docker's do: clients start the container after them.
func (s *Server) waitContainer(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	cond := r.URL.Query().Get("condition")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	code, err := s.waitFor(r.Context(), c, cond)
	resp := container.WaitResponse{StatusCode: int64(code)}
	if err != nil {
		resp.Error = &container.WaitExitError{Message: err.Error()}
	}
	_ = json.NewEncoder(w).Encode(resp)
}

func (s *Server) waitFor(ctx context.Context, c engine.Container, cond string) (int, error) {
	if cond == "next-exit" || cond == "removed" {
		// Created and not started yet: wait for the start first.
		for !c.Owned && c.Record.Finished.IsZero() {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(50 * time.Millisecond):
			}
			now, err := s.eng.Container(c.ID)
			if err != nil {
				// --rm: it ran and was removed before it was seen running.
				code, _ := s.eng.RemovedExit(c.ID)
				return code, nil
			}
			c = now
		}
	}
	code, err := s.eng.Wait(c.ID)
	if errors.Is(err, errdefs.ErrContainerUnknown) {
		code, _ = s.eng.RemovedExit(c.ID) // gone (--rm) before Wait found it
	} else if err != nil {
		return code, err
	}
	for cond == "removed" {
		if _, err := s.eng.Container(c.ID); err != nil {
			break
		}
		select {
		case <-ctx.Done():
			return code, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return code, nil
}

func (s *Server) top(w http.ResponseWriter, r *http.Request) {
	pids, err := s.eng.Top(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	args := r.URL.Query().Get("ps_args")
	if args == "" {
		args = "-ef"
	}
	list := make([]string, len(pids))
	for i, p := range pids {
		list[i] = strconv.Itoa(p)
	}
	out, err := exec.Command("ps", append(strings.Fields(args), "-p", strings.Join(list, ","))...).Output()
	if err != nil {
		fail(w, fmt.Errorf("ps: %w", err))
		return
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	resp := container.TopResponse{Titles: strings.Fields(lines[0]), Processes: [][]string{}}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		n := len(resp.Titles)
		if len(f) > n {
			f = append(f[:n-1], strings.Join(f[n-1:], " "))
		}
		resp.Processes = append(resp.Processes, f)
	}
	writeJSON(w, http.StatusOK, resp)
}

// filters reads the filters parameter in both of docker's shapes.
func filters(r *http.Request) (map[string][]string, error) {
	raw := r.URL.Query().Get("filters")
	out := map[string][]string{}
	if raw == "" {
		return out, nil
	}
	if err := json.Unmarshal([]byte(raw), &out); err == nil {
		return out, nil
	}
	var old map[string]map[string]bool
	if err := json.Unmarshal([]byte(raw), &old); err != nil {
		return nil, fmt.Errorf("%w: filters: %v", errdefs.ErrInvalidArgument, err)
	}
	for k, vs := range old {
		for v, ok := range vs {
			if ok {
				out[k] = append(out[k], v)
			}
		}
	}
	return out, nil
}

// matches: values of one key are ORed, keys ANDed, as docker does; labels
// are all required (compose asks for project=P and oneoff=False at once).
func matches(c engine.Container, f map[string][]string) bool {
	if !hasLabels(c.Record.Labels, f["label"]) {
		return false
	}
	for key, values := range f {
		ok := false
		for _, v := range values {
			switch key {
			case "status":
				ok = ok || dockerState(c) == v
			case "name":
				ok = ok || strings.Contains(c.Record.Name, strings.TrimPrefix(v, "/"))
			case "id":
				ok = ok || strings.HasPrefix(c.ID, v)
			case "ancestor":
				ok = ok || c.Record.ImageName == v || strings.HasPrefix(c.Record.ImageID, strings.TrimPrefix(v, "sha256:"))
			case "exited":
				ok = ok || (c.Status() == "exited" && strconv.Itoa(c.Record.ExitCode) == v)
			case "health":
				ok = ok || (c.Health != nil && c.Health.Status == v) || (c.Health == nil && v == "none")
			default:
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func (s *Server) listContainers(w http.ResponseWriter, r *http.Request) {
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	all, err := s.eng.Containers()
	if err != nil {
		fail(w, err)
		return
	}
	showAll := boolParam(r, "all")
	out := []container.Summary{}
	for _, c := range all {
		if (c.Owned || showAll) && matches(c, f) {
			sum := summary(c)
			sum.Mounts = s.mountPoints(c)
			out = append(out, sum)
		}
	}
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > 0 && len(out) > n {
		out = out[:n]
	}
	writeJSON(w, http.StatusOK, out)
}

func summary(c engine.Container) container.Summary {
	s := container.Summary{
		ID: c.ID, Names: []string{"/" + c.Record.Name}, Image: c.Record.ImageName, ImageID: "sha256:" + c.Record.ImageID,
		Command: strings.Join(c.Record.Command, " "), Created: c.Record.Created.Unix(), Labels: c.Record.Labels,
		State: container.ContainerState(dockerState(c)), Status: statusText(c), Ports: []container.PortSummary{},
		Mounts: []container.MountPoint{},
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	s.HostConfig.NetworkMode = c.Record.Network
	for _, p := range c.Record.Ports {
		ps := container.PortSummary{PrivatePort: p.ContainerPort, PublicPort: p.HostPort, Type: p.Proto}
		ps.IP, _ = netip.ParseAddr(orAny(p.HostIP))
		s.Ports = append(s.Ports, ps)
	}
	return s
}

func orAny(ip string) string {
	if ip == "" {
		return "0.0.0.0"
	}
	return ip
}

// dockerState is c's state in docker's words. Docker has no "stopping":
// a container whose command ended is running to it until the daemon has
// handled the exit, as it is here until the owner has recorded the end.
func dockerState(c engine.Container) string {
	if s := c.Status(); s != "stopping" {
		return s
	}
	return "running"
}

// statusText is docker's Status column: "Up 3 minutes", "Exited (0) 2 hours ago".
func statusText(c engine.Container) string {
	switch dockerState(c) {
	case "running":
		if c.Health != nil {
			return "Up " + humanDuration(time.Since(c.Record.Started)) + " (" + c.Health.Status + ")"
		}
		return "Up " + humanDuration(time.Since(c.Record.Started))
	case "paused":
		return "Up " + humanDuration(time.Since(c.Record.Started)) + " (Paused)"
	case "restarting":
		return "Restarting"
	case "exited":
		return fmt.Sprintf("Exited (%d) %s ago", c.Record.ExitCode, humanDuration(time.Since(c.Record.Finished)))
	}
	return "Created"
}

func humanDuration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%d seconds", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return "0001-01-01T00:00:00Z"
	}
	return t.Format(time.RFC3339Nano)
}

func apiHealth(h *engine.HealthState) *container.Health {
	if h == nil {
		return nil
	}
	out := &container.Health{Status: container.HealthStatus(h.Status), FailingStreak: h.FailingStreak, Log: []*container.HealthcheckResult{}}
	for _, r := range h.Log {
		out.Log = append(out.Log, &container.HealthcheckResult{Start: r.Start, End: r.End, ExitCode: r.ExitCode, Output: r.Output})
	}
	return out
}

func (s *Server) inspectContainer(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	rec := c.Record
	resp := container.InspectResponse{
		ID: c.ID, Created: rfc3339(rec.Created), Image: "sha256:" + rec.ImageID, Name: "/" + rec.Name,
		RestartCount: rec.RestartCount, Driver: s.eng.Info().StorageDriver, Mounts: s.mountPoints(c),
		State: &container.State{
			Status: container.ContainerState(dockerState(c)), Running: c.Running, Paused: c.Paused,
			Restarting: c.Status() == "restarting", OOMKilled: rec.OOMKilled, Pid: c.Pid, ExitCode: rec.ExitCode,
			StartedAt: rfc3339(rec.Started), FinishedAt: rfc3339(rec.Finished), Health: apiHealth(c.Health),
		},
		Config: &container.Config{Image: rec.ImageName, Cmd: rec.Command, Labels: rec.Labels, StopSignal: rec.StopSignal, StopTimeout: rec.StopTimeout,
			Tty: rec.Terminal, OpenStdin: rec.OpenStdin, StdinOnce: rec.StdinOnce},
		HostConfig: &container.HostConfig{
			NetworkMode: container.NetworkMode(rec.Network), AutoRemove: rec.AutoRemove,
			PortBindings: network.PortMap{},
			// Clients read logs only from the drivers they know (the Python
			// SDK's containers.run): burrow's is json-file's format.
			LogConfig: container.LogConfig{Type: "json-file", Config: map[string]string{}},
			Resources: resources(rec.Limits),
		},
		NetworkSettings: &container.NetworkSettings{Ports: network.PortMap{}, Networks: map[string]*network.EndpointSettings{}},
	}
	if len(rec.Command) > 0 {
		resp.Path, resp.Args = rec.Command[0], rec.Command[1:]
	}
	if h := rec.Health; h != nil {
		// compose's depends_on service_healthy looks for it here.
		resp.Config.Healthcheck = &container.HealthConfig{Test: h.Test, Interval: h.Interval, Timeout: h.Timeout,
			StartPeriod: h.StartPeriod, Retries: h.Retries}
	}
	if name, n, ok := strings.Cut(rec.RestartPolicy, ":"); ok {
		resp.HostConfig.RestartPolicy.Name = container.RestartPolicyMode(name)
		resp.HostConfig.RestartPolicy.MaximumRetryCount, _ = strconv.Atoi(n)
	} else {
		resp.HostConfig.RestartPolicy.Name = container.RestartPolicyMode(rec.RestartPolicy)
	}
	for _, p := range rec.Ports {
		port, err := network.ParsePort(fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto))
		if err != nil {
			continue
		}
		b := network.PortBinding{HostPort: strconv.Itoa(int(p.HostPort))}
		b.HostIP, _ = netip.ParseAddr(orAny(p.HostIP))
		resp.HostConfig.PortBindings[port] = append(resp.HostConfig.PortBindings[port], b)
		resp.NetworkSettings.Ports[port] = append(resp.NetworkSettings.Ports[port], b)
	}
	if a, ok := s.eng.Addresses(c); ok && a.IPv4 != nil {
		ep := &network.EndpointSettings{IPPrefixLen: a.PrefixLen}
		ep.IPAddress, _ = netip.ParseAddr(a.IPv4.String())
		if a.Gateway != nil {
			ep.Gateway, _ = netip.ParseAddr(a.Gateway.String())
		}
		resp.NetworkSettings.Networks[rec.Network] = ep
	}
	for _, ep := range s.eng.Endpoints(c) {
		resp.NetworkSettings.Networks[ep.Network.Name] = endpointSettings(c.ID, ep)
	}
	writeJSON(w, http.StatusOK, resp)
}

// hasLabels reports whether labels has every KEY or KEY=VALUE of want.
func hasLabels(labels map[string]string, want []string) bool {
	for _, v := range want {
		k, value, hasValue := strings.Cut(v, "=")
		got, present := labels[k]
		if !present || (hasValue && got != value) {
			return false
		}
	}
	return true
}
