package main

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/docker/go-units"
	"github.com/urfave/cli/v2"
)

func imagesCommand() *cli.Command {
	return &cli.Command{
		Name:      "images",
		Usage:     "list images",
		ArgsUsage: "[REPOSITORY[:TAG]]",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only IDs"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "full IDs"},
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "accepted for scripts: every image is listed"},
			&cli.BoolFlag{Name: "digests", Usage: "show the DIGEST column"},
			&cli.BoolFlag{Name: "history", Usage: "show the HISTORY column: the names the image has had, latest first"},
			&cli.BoolFlag{Name: "noheading", Aliases: []string{"n"}, Usage: "no header line"},
			&cli.StringFlag{Name: "sort", Usage: "created, id, repository, size or tag"},
			&cli.StringFlag{Name: "format", Usage: "Go template, e.g. '{{.ID}}', or json"},
			&cli.StringSliceFlag{Name: "filter", Aliases: []string{"f"}, Usage: "dangling=true|false, reference=PATTERN"},
		},
		Action: imagesAction,
	}
}

// imageRow is one line of `images`; its field names are docker's, for --format.
type imageRow struct {
	ID           string
	Repository   string
	Tag          string
	Digest       string
	CreatedAt    time.Time
	Created      string
	CreatedSince string
	Size         string
	VirtualSize  int64
	History      string // podman's: the names the image has had, latest first
}

func imagesAction(c *cli.Context) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	images, err := e.Images()
	if err != nil {
		return err
	}
	filter, err := parseImageFilters(c.StringSlice("filter"))
	if err != nil {
		return err
	}
	rows := filter(imageRows(images, c.Bool("no-trunc")))
	if c.NArg() > 1 {
		return fmt.Errorf("%w: images takes at most one REPOSITORY[:TAG]", errdefs.ErrInvalidArgument)
	}
	if ref := c.Args().First(); ref != "" {
		rows = slices.DeleteFunc(rows, func(r imageRow) bool { return !matchReference(ref, r.Repository, r.Tag) })
	}
	if err := sortRows(rows, c.String("sort"), imageSortKeys); err != nil {
		return err
	}
	if c.Bool("quiet") {
		seen := map[string]bool{}
		for _, r := range rows {
			if !seen[r.ID] {
				seen[r.ID] = true
				fmt.Println(r.ID)
			}
		}
		return nil
	}
	table := "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
	if c.Bool("digests") {
		table = "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
	}
	if c.Bool("history") {
		table += "\t{{.History}}"
	}
	return writeList(rows, listFormat{
		format: c.String("format"), noHeading: c.Bool("noheading"), table: table,
		headers: map[string]string{"ID": "IMAGE ID", "CreatedSince": "CREATED"},
	})
}

// imageSortKeys are podman's images --sort keys; created is newest first.
var imageSortKeys = map[string]func(a, b imageRow) int{
	"created":    func(a, b imageRow) int { return b.CreatedAt.Compare(a.CreatedAt) },
	"id":         func(a, b imageRow) int { return strings.Compare(a.ID, b.ID) },
	"repository": func(a, b imageRow) int { return strings.Compare(a.Repository, b.Repository) },
	"tag":        func(a, b imageRow) int { return strings.Compare(a.Tag, b.Tag) },
	"size":       func(a, b imageRow) int { return cmp.Compare(a.VirtualSize, b.VirtualSize) },
}

func imageRows(images []engine.Image, noTrunc bool) []imageRow {
	var rows []imageRow
	for _, img := range images {
		size := img.Size
		base := imageRow{
			ID: img.ID, Digest: img.Digest, CreatedAt: img.Created,
			Created: units.HumanDuration(time.Since(img.Created)) + " ago", Size: units.HumanSizeWithPrecision(float64(size), 3),
			VirtualSize: size, History: strings.Join(img.NamesHistory, ", "),
		}
		if base.History == "" {
			base.History = "<none>"
		}
		base.CreatedSince = base.Created
		if !noTrunc {
			base.ID = img.ID[:12]
		}
		names := img.Names
		if len(names) == 0 {
			names = []string{"<none>:<none>"}
		}
		for _, n := range names {
			r := base
			r.Repository, r.Tag = splitName(n)
			rows = append(rows, r)
		}
	}
	return rows
}

// splitName separates repository and tag; a ':' in the registry's port is not a tag.
func splitName(name string) (repo, tag string) {
	if at := strings.IndexByte(name, '@'); at >= 0 {
		return name[:at], "<none>"
	}
	slash := strings.LastIndexByte(name, '/')
	if colon := strings.LastIndexByte(name, ':'); colon > slash {
		return name[:colon], name[colon+1:]
	}
	return name, "<none>"
}

// parseImageFilters reads docker's dangling= and reference= filters; all must match.
func parseImageFilters(values []string) (func([]imageRow) []imageRow, error) {
	var tests []func(imageRow) bool
	var times []func([]imageRow) bool
	for _, v := range values {
		key, val, _ := strings.Cut(v, "=")
		switch key {
		case "dangling":
			want := val == "true"
			if val != "true" && val != "false" {
				return nil, fmt.Errorf("%w: filter %q: dangling is true or false", errdefs.ErrInvalidArgument, v)
			}
			tests = append(tests, func(r imageRow) bool { return (r.Repository == "<none>") == want })
		case "reference":
			tests = append(tests, func(r imageRow) bool { return matchReference(val, r.Repository, r.Tag) })
		case "id":
			tests = append(tests, func(r imageRow) bool { return strings.HasPrefix(r.ID, strings.TrimPrefix(val, "sha256:")) })
		case "before", "since":
			// Set once the rows are known: the named image's creation.
			var at time.Time
			before := key == "before"
			times = append(times, func(rows []imageRow) bool {
				i := slices.IndexFunc(rows, func(r imageRow) bool {
					return r.Repository+":"+r.Tag == val || matchReference(val, r.Repository, r.Tag) || len(val) >= 3 && strings.HasPrefix(r.ID, val)
				})
				if i >= 0 {
					at = rows[i].CreatedAt
				}
				return i >= 0
			})
			tests = append(tests, func(r imageRow) bool {
				return before && r.CreatedAt.Before(at) || !before && r.CreatedAt.After(at)
			})
		default:
			return nil, fmt.Errorf("%w: filter %q (want dangling=, reference=, id=, before= or since=)", errdefs.ErrInvalidArgument, v)
		}
	}
	return func(rows []imageRow) []imageRow {
		for _, resolve := range times {
			if !resolve(rows) {
				return nil // no such image: nothing is before or after it
			}
		}
		var out []imageRow
		for _, r := range rows {
			if slices.IndexFunc(tests, func(test func(imageRow) bool) bool { return !test(r) }) < 0 {
				out = append(out, r)
			}
		}
		return out
	}, nil
}

// matchReference matches a glob against the full name, the name without
// its registry, and either with its tag.
func matchReference(pattern, repo, tag string) bool {
	short := repo
	if i := strings.IndexByte(repo, '/'); i >= 0 && strings.ContainsAny(repo[:i], ".:") || strings.HasPrefix(repo, "localhost/") {
		short = repo[strings.IndexByte(repo, '/')+1:]
	}
	short = strings.TrimPrefix(short, "library/")
	for _, name := range []string{repo, short, repo + ":" + tag, short + ":" + tag} {
		if ok, _ := path.Match(pattern, name); ok {
			return true
		}
	}
	return false
}
