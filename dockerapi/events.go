package dockerapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/moby/moby/api/types/events"
)

// events streams container events: burrow has no daemon that sees every
// change as it happens (the CLI, monitors and this service all change the
// store), so the service compares the container list every 250 ms and
// reports the differences (create, start, pause, unpause, die, destroy).
// Events older than the stream itself are not kept: since is ignored.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	f, err := filters(r)
	if err != nil {
		fail(w, err)
		return
	}
	var until time.Time
	if u := r.URL.Query().Get("until"); u != "" {
		until = unixParam(u)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	if fl != nil {
		fl.Flush()
	}
	enc := json.NewEncoder(w)
	seen := map[string]engine.Container{}
	if ctrs, err := s.eng.Containers(); err == nil {
		for _, c := range ctrs {
			seen[c.ID] = c
		}
	}
	emit := func(c engine.Container, action events.Action) bool {
		m := events.Message{
			Type: events.ContainerEventType, Action: action, Scope: "local",
			Actor: events.Actor{ID: c.ID, Attributes: map[string]string{"name": c.Record.Name, "image": c.Record.ImageName}},
			Time:  time.Now().Unix(), TimeNano: time.Now().UnixNano(),
		}
		for k, v := range c.Record.Labels {
			m.Actor.Attributes[k] = v
		}
		if action == events.ActionDie {
			m.Actor.Attributes["exitCode"] = strconv.Itoa(c.Record.ExitCode)
		}
		if !eventMatches(m, f) {
			return true
		}
		if enc.Encode(m) != nil {
			return false
		}
		if fl != nil {
			fl.Flush()
		}
		return true
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(250 * time.Millisecond):
		}
		if !until.IsZero() && time.Now().After(until) {
			return
		}
		ctrs, err := s.eng.Containers()
		if err != nil {
			continue
		}
		now := map[string]engine.Container{}
		for _, c := range ctrs {
			now[c.ID] = c
			old, known := seen[c.ID]
			var actions []events.Action
			switch {
			case !known:
				actions = append(actions, events.ActionCreate)
				if c.Running {
					actions = append(actions, events.ActionStart)
				}
			case !old.Running && c.Running:
				actions = append(actions, events.ActionStart)
			case old.Running && !c.Running:
				actions = append(actions, events.ActionDie)
			}
			if known && !old.Paused && c.Paused {
				actions = append(actions, events.ActionPause)
			}
			if known && old.Paused && !c.Paused {
				actions = append(actions, events.ActionUnPause)
			}
			for _, a := range actions {
				if !emit(c, a) {
					return
				}
			}
		}
		for id, old := range seen {
			if _, ok := now[id]; !ok {
				if old.Running && !emit(old, events.ActionDie) {
					return
				}
				if !emit(old, events.ActionDestroy) {
					return
				}
			}
		}
		seen = now
	}
}

// eventMatches applies docker's event filters: type, event, container,
// label, image.
func eventMatches(m events.Message, f map[string][]string) bool {
	for key, values := range f {
		ok := false
		for _, v := range values {
			switch key {
			case "type":
				ok = ok || string(m.Type) == v
			case "event":
				ok = ok || string(m.Action) == v
			case "container":
				ok = ok || m.Actor.Attributes["name"] == v || (len(v) >= 12 && strings.HasPrefix(m.Actor.ID, v))
			case "image":
				ok = ok || m.Actor.Attributes["image"] == v
			case "label":
				k, want, hasValue := strings.Cut(v, "=")
				got, present := m.Actor.Attributes[k]
				ok = ok || (present && (!hasValue || got == want))
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
