package lifecycle

import (
	"strconv"

	"github.com/burrow/burrow/events"
)

// Emit appends a container event to the user's event log, with the
// container's name, image and labels as docker's events carry them.
func Emit(runRoot, id string, rec Record, action string, code *int) {
	_ = events.Write(runRoot, Event(id, rec, action, code))
}

// Event is the container event Emit logs.
func Event(id string, rec Record, action string, code *int) events.Event {
	attrs := make(map[string]string, len(rec.Labels)+1)
	for k, v := range rec.Labels {
		attrs[k] = v
	}
	if code != nil {
		attrs["exitCode"] = strconv.Itoa(*code)
	}
	return events.Event{Type: "container", Action: action, ID: id, Name: rec.Name, Image: rec.ImageName, Attributes: attrs}
}
