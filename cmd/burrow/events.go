package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func eventsCommand() *cli.Command {
	return &cli.Command{
		Name:  "events",
		Usage: "show container, image, network and volume events as they happen (those logged already with --since)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "since", Usage: "events from a time (RFC 3339, Unix seconds) or a duration ago (10m)"},
			&cli.StringFlag{Name: "until", Usage: "events up to a time or duration ago; following stops then"},
			&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "type=, event=, container=, image=, volume=, network=, label=K[=V] (repeat a key for either value)"},
			&cli.StringFlag{Name: "format", Usage: "json or a Go template over .Time .TimeNano .Type .Status .ID .Name .Image .Network .ContainerExitCode .Attributes (docker's .Action .Actor.ID .Actor.Attributes .From .Scope too)"},
			&cli.BoolFlag{Name: "stream", Value: true, Usage: "keep printing new events; false stops after those logged"},
			&cli.BoolFlag{Name: "no-trunc", Value: true, Usage: "full IDs (the default)"},
		},
		Action: eventsAction,
	}
}

// eventRow is an event as podman's and docker's templates name its parts.
type eventRow struct {
	ID, Name, Image, Type, Status, Action, Network string
	// docker's: the image a container event is about, and "local".
	From, Scope       string
	ContainerExitCode int
	Time              time.Time
	TimeNano          int64
	Attributes        map[string]string
	// docker's Actor: the object's ID, and its name and image among the
	// attributes.
	Actor struct {
		ID         string
		Attributes map[string]string
	}
}

func eventsAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("%w: events takes no arguments", errdefs.ErrInvalidArgument)
	}
	window, err := parseWindow(c.String("since"), c.String("until"), time.Now())
	if err != nil {
		return err
	}
	emit, err := eventPrinter(c.String("format"), c.Bool("no-trunc"))
	if err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	o := engine.EventsOptions{Since: window.since, Until: window.until, Follow: c.Bool("stream"), Filters: c.StringSlice("filter")}
	return e.Events(c.Context, o, emit)
}

func eventPrinter(format string, noTrunc bool) (func(engine.Event) error, error) {
	row := func(ev engine.Event) eventRow {
		r := eventRow{ID: ev.ID, Name: ev.Name, Image: ev.Image, Type: ev.Type, Status: ev.Action, Action: ev.Action,
			Network: ev.Network, From: ev.Image, Scope: "local", Time: ev.Time.Local(), TimeNano: ev.Time.UnixNano(), Attributes: ev.Attributes}
		r.ContainerExitCode, _ = strconv.Atoi(ev.Attributes["exitCode"])
		r.Actor.ID, r.Actor.Attributes = ev.ID, actorAttributes(ev)
		if !noTrunc && len(r.ID) > 12 {
			r.ID = r.ID[:12]
		}
		return r
	}
	switch format {
	case "":
		return func(ev engine.Event) error {
			r := row(ev)
			attrs := []string{}
			if r.Image != "" {
				attrs = append(attrs, "image="+r.Image)
			}
			if r.Name != "" {
				attrs = append(attrs, "name="+r.Name)
			}
			if r.Network != "" {
				attrs = append(attrs, "network="+r.Network)
			}
			var more []string
			for k, v := range r.Attributes {
				more = append(more, k+"="+v)
			}
			slices.Sort(more)
			attrs = append(attrs, more...)
			_, err := fmt.Printf("%s %s %s %s (%s)\n", r.Time.Format("2006-01-02 15:04:05.000000000 -0700 MST"), r.Type, r.Status, r.ID, strings.Join(attrs, ", "))
			return err
		}, nil
	case "json":
		return func(ev engine.Event) error {
			b, err := json.Marshal(row(ev))
			if err == nil {
				_, err = fmt.Println(string(b))
			}
			return err
		}, nil
	}
	tmpl, err := parseFormat(strings.TrimPrefix(format, "table ") + "\n")
	if err != nil {
		return nil, err
	}
	return func(ev engine.Event) error { return tmpl.Execute(os.Stdout, row(ev)) }, nil
}

// actorAttributes are docker's: the labels and exit code, the name and
// image, the network of a network event.
func actorAttributes(ev engine.Event) map[string]string {
	a := make(map[string]string, len(ev.Attributes)+3)
	maps.Copy(a, ev.Attributes)
	for k, v := range map[string]string{"name": ev.Name, "image": ev.Image, "network": ev.Network} {
		if v != "" {
			a[k] = v
		}
	}
	return a
}
