package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/events"
)

// Event is one entry of the user's event log.
type Event = events.Event

func (e *Engine) imageEvent(action, id, name string) {
	_ = events.Write(e.paths.RunRoot, events.Event{Type: "image", Action: action, ID: id, Name: name})
}

// volumeEvent logs a volume's create, remove, prune or mount (by a new
// container); podman names a volume by its name, as ID too.
func (e *Engine) volumeEvent(action, name string) {
	_ = events.Write(e.paths.RunRoot, events.Event{Type: "volume", Action: action, ID: name, Name: name})
}

// networkEvent logs a network's create and remove (about the network)
// and connect and disconnect (about the container, naming the network),
// as podman does.
func (e *Engine) networkEvent(action string, n Network, c *Container) {
	ev := events.Event{Type: "network", Action: action, ID: n.ID, Name: n.Name, Network: n.Name}
	if c != nil {
		ev.ID, ev.Name, ev.Image = c.ID, c.Record.Name, c.Record.ImageName
	}
	_ = events.Write(e.paths.RunRoot, ev)
}

// EventsOptions select events: a time window, following new ones, and
// podman's filters (KEY=VALUE; one key given twice matches either value,
// different keys must all match).
type EventsOptions struct {
	Since, Until time.Time
	Follow       bool
	Filters      []string
}

var eventFilterKeys = map[string]bool{"type": true, "event": true, "container": true, "image": true, "label": true, "volume": true, "network": true}

// Events passes the log's events that o selects to fn, in order; with
// Follow it waits for more until ctx ends (or Until passes).
func (e *Engine) Events(ctx context.Context, o EventsOptions, fn func(Event) error) error {
	filters := map[string][]string{}
	for _, f := range o.Filters {
		k, v, ok := strings.Cut(f, "=")
		if !ok || !eventFilterKeys[k] {
			return fmt.Errorf("%w: event filter %q: want type=, event=, container=, image=, volume=, network= or label= with a value", errdefs.ErrInvalidArgument, f)
		}
		filters[k] = append(filters[k], v)
	}
	return events.Read(ctx, e.paths.RunRoot, events.ReadOptions{Since: o.Since, Until: o.Until, Follow: o.Follow}, func(ev Event) error {
		if matchEvent(ev, filters) {
			return fn(ev)
		}
		return nil
	})
}

func matchEvent(ev Event, filters map[string][]string) bool {
	for k, vs := range filters {
		ok := false
		for _, v := range vs {
			switch k {
			case "type":
				ok = ev.Type == v
			case "event":
				ok = ev.Action == v || (v == "die" && ev.Action == "died")
			case "container":
				ok = ev.Type == "container" && idOrName(ev, v)
			case "image":
				ok = (ev.Type == "image" && idOrName(ev, v)) || (ev.Type == "container" && ev.Image != "" && sameImage(ev.Image, v))
			case "volume":
				ok = ev.Type == "volume" && ev.Name == v
			case "network":
				ok = ev.Type == "network" && (ev.Network == v || (ev.Name == ev.Network && len(v) >= 3 && strings.HasPrefix(ev.ID, v)))
			case "label":
				lk, lv, hasValue := strings.Cut(v, "=")
				got, has := ev.Attributes[lk]
				ok = has && (!hasValue || got == lv)
			}
			if ok {
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func idOrName(ev Event, v string) bool {
	return v != "" && (strings.HasPrefix(ev.ID, v) || ev.Name == v || sameImage(ev.Name, v))
}

// sameImage compares image names as the user types them (busybox is
// docker.io/library/busybox:latest).
func sameImage(name, v string) bool {
	if name == v {
		return true
	}
	full, err := NormalizeName(v)
	return err == nil && full == name
}
