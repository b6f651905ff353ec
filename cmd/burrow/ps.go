package main

import (
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/docker/go-units"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func psCommand() *cli.Command {
	return &cli.Command{
		Name:  "ps",
		Usage: "list containers",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "also stopped containers"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only IDs"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "full IDs and commands"},
			&cli.BoolFlag{Name: "noheading", Usage: "no header line"},
			&cli.StringFlag{Name: "sort", Usage: "command, created, id, image, names, runningfor or status"},
			&cli.BoolFlag{Name: "size", Aliases: []string{"s"}, Usage: "show each container's writable layer size"},
			&cli.StringFlag{Name: "format", Usage: "json or a Go template, e.g. '{{.Names}}'"},
			&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "status=, name=, label=KEY[=VALUE], ancestor=, exited=CODE"},
			&cli.BoolFlag{Name: "latest", Aliases: []string{"l"}, Usage: "only the newest container (implies -a)"},
			&cli.IntFlag{Name: "last", Aliases: []string{"n"}, Value: -1, Usage: "only the N newest containers (implies -a)"},
			&cli.IntFlag{Name: "watch", Aliases: []string{"w"}, Usage: "list again every N seconds until interrupted"},
			&cli.BoolFlag{Name: "sync", Usage: "accepted: burrow reads every container's state from its owner each time"},
			&cli.BoolFlag{Name: "pod", Aliases: []string{"p"}, Usage: "refused: burrow has no pods"},
			&cli.BoolFlag{Name: "external", Usage: "refused: burrow lists its own containers only"},
		},
		Action: psAction,
	}
}

// psRow has docker's field names, for --format.
type psRow struct {
	ID, Image, Command, CreatedAt, RunningFor, Status, Names, State, Ports, Size string
	ExitCode, Pid                                                                int
	Labels                                                                       map[string]string
	created                                                                      time.Time
	ctr                                                                          engine.Container
}

// Label is podman's {{.Label "key"}}.
func (r psRow) Label(key string) string { return r.Labels[key] }

func psAction(c *cli.Context) error {
	for _, f := range []string{"pod", "external"} {
		if c.Bool(f) {
			return fmt.Errorf("%w: ps --%s is not supported: %s", errdefs.ErrInvalidArgument, f,
				map[string]string{"pod": "burrow has no pods", "external": "burrow lists its own containers only"}[f])
		}
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	watch := c.Int("watch")
	if watch < 0 {
		return fmt.Errorf("%w: ps --watch %d: want seconds", errdefs.ErrInvalidArgument, watch)
	}
	for {
		if err := psOnce(c, e); err != nil || watch == 0 {
			return err
		}
		time.Sleep(time.Duration(watch) * time.Second)
		if term.IsTerminal(int(os.Stdout.Fd())) {
			fmt.Print("\033[H\033[2J") // a fresh screen each time, as podman's watch
		}
	}
}

// psOnce lists the containers once.
func psOnce(c *cli.Context, e *engine.Engine) error {
	all, err := e.Containers()
	if err != nil {
		return err
	}
	filters, err := parsePSFilters(c.StringSlice("filter"))
	if err != nil {
		return err
	}
	if err := resolveTimeFilters(filters, all); err != nil {
		return err
	}
	last := c.Int("last")
	if c.Bool("latest") {
		last = 1
	}
	showAll := c.Bool("all") || last >= 0 || len(filters) > 0
	var rows []psRow
	for _, ctr := range all {
		if (ctr.Owned || showAll) && matchesAll(ctr, filters) {
			rows = append(rows, newPSRow(ctr, c.Bool("no-trunc")))
		}
	}
	if last >= 0 && len(rows) > last {
		rows = rows[:last]
	}
	if err := sortRows(rows, c.String("sort"), psSortKeys); err != nil {
		return err
	}
	if c.Bool("quiet") {
		for _, r := range rows {
			fmt.Println(r.ID)
		}
		return nil
	}
	table := "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}"
	if c.Bool("size") {
		table += "\t{{.Size}}"
		for i := range rows {
			if n, err := e.ContainerSize(rows[i].ctr); err == nil {
				rows[i].Size = units.HumanSizeWithPrecision(float64(n), 3)
			}
		}
	}
	return writeList(rows, listFormat{
		format: c.String("format"), noHeading: c.Bool("noheading"),
		table:   table,
		headers: map[string]string{"ID": "CONTAINER ID", "RunningFor": "CREATED"},
	})
}

// psSortKeys are podman's ps --sort keys.
var psSortKeys = map[string]func(a, b psRow) int{
	"id":         func(a, b psRow) int { return strings.Compare(a.ID, b.ID) },
	"image":      func(a, b psRow) int { return strings.Compare(a.Image, b.Image) },
	"command":    func(a, b psRow) int { return strings.Compare(a.Command, b.Command) },
	"names":      func(a, b psRow) int { return strings.Compare(a.Names, b.Names) },
	"status":     func(a, b psRow) int { return strings.Compare(a.Status, b.Status) },
	"created":    func(a, b psRow) int { return a.created.Compare(b.created) },
	"runningfor": func(a, b psRow) int { return b.created.Compare(a.created) },
}

func newPSRow(c engine.Container, noTrunc bool) psRow {
	r := psRow{
		ID: c.ID, Image: c.Record.ImageName, Command: strings.Join(c.Record.Command, " "),
		CreatedAt: c.Record.Created.Format(time.RFC3339), RunningFor: ago(c.Record.Created),
		Names: c.Record.Name, State: c.Status(), ExitCode: c.Record.ExitCode, Pid: c.Pid,
		Labels: c.Record.Labels, Ports: portsColumn(c), created: c.Record.Created, ctr: c,
	}
	if r.Labels == nil {
		r.Labels = map[string]string{}
	}
	if !noTrunc {
		r.ID = r.ID[:12]
		if len(r.Command) > 20 {
			r.Command = r.Command[:19] + "…"
		}
	}
	switch r.State {
	case "running":
		r.Status = "Up " + units.HumanDuration(time.Since(c.Record.Started))
		if c.Health != nil {
			r.Status += " (" + c.Health.Status + ")"
		}
	case "paused":
		r.Status = "Up " + units.HumanDuration(time.Since(c.Record.Started)) + " (Paused)"
	case "exited":
		r.Status = fmt.Sprintf("Exited (%d) %s", c.Record.ExitCode, ago(c.Record.Finished))
	default:
		r.Status = "Created"
	}
	return r
}

func ago(t time.Time) string { return units.HumanDuration(time.Since(t)) + " ago" }

type psFilter struct {
	key, value string
	at         time.Time // before= and since=: the named container's creation
}

func parsePSFilters(values []string) ([]psFilter, error) {
	var out []psFilter
	for _, v := range values {
		k, val, ok := strings.Cut(v, "=")
		switch k {
		case "status", "name", "label", "ancestor", "exited", "id", "health", "network", "before", "since":
		default:
			ok = false
		}
		if !ok {
			return nil, fmt.Errorf("%w: filter %q (want status=, name=, label=, ancestor=, exited=, id=, health=, network=, before= or since=)", errdefs.ErrInvalidArgument, v)
		}
		out = append(out, psFilter{key: k, value: val})
	}
	return out, nil
}

// matchesAll applies docker's rule: every filter must match.
func matchesAll(c engine.Container, filters []psFilter) bool {
	for _, f := range filters {
		if !matches(c, f) {
			return false
		}
	}
	return true
}

func matches(c engine.Container, f psFilter) bool {
	switch f.key {
	case "status":
		return c.Status() == f.value
	case "name":
		return strings.Contains(c.Record.Name, f.value)
	case "id":
		return strings.HasPrefix(c.ID, f.value)
	case "ancestor":
		return c.Record.ImageName == f.value || strings.HasPrefix(c.Record.ImageID, f.value)
	case "exited":
		return c.Status() == "exited" && fmt.Sprint(c.Record.ExitCode) == f.value
	case "before":
		return c.Record.Created.Before(f.at)
	case "since":
		return c.Record.Created.After(f.at)
	case "health":
		return c.Health != nil && c.Health.Status == f.value || c.Health == nil && f.value == "none"
	case "network":
		if c.Record.Network == f.value {
			return true
		}
		for _, n := range c.Record.Networks {
			if n.Network.Name == f.value || strings.HasPrefix(n.Network.ID, f.value) {
				return true
			}
		}
		return false
	case "label":
		k, v, hasValue := strings.Cut(f.value, "=")
		got, ok := c.Record.Labels[k]
		return ok && (!hasValue || got == v)
	}
	return false
}

// portsColumn is docker's PORTS column: 0.0.0.0:8080->80/tcp, ...
func portsColumn(c engine.Container) string {
	var out []string
	for _, p := range c.Record.Ports {
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		out = append(out, fmt.Sprintf("%s->%d/%s", net.JoinHostPort(ip, fmt.Sprint(p.HostPort)), p.ContainerPort, p.Proto))
	}
	return strings.Join(out, ", ")
}

// resolveTimeFilters finds the containers before= and since= name.
func resolveTimeFilters(filters []psFilter, all []engine.Container) error {
	for i, f := range filters {
		if f.key != "before" && f.key != "since" {
			continue
		}
		j := slices.IndexFunc(all, func(c engine.Container) bool {
			return c.Record.Name == f.value || len(f.value) >= 3 && strings.HasPrefix(c.ID, f.value)
		})
		if j < 0 {
			return fmt.Errorf("filter %s=%s: %w", f.key, f.value, errdefs.ErrContainerUnknown)
		}
		filters[i].at = all[j].Record.Created
	}
	return nil
}
