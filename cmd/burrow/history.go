package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func historyCommand() *cli.Command {
	return &cli.Command{
		Name: "history", Usage: "show how an image was built", ArgsUsage: "IMAGE",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only image IDs"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "full IDs and commands"},
			&cli.BoolFlag{Name: "human", Aliases: []string{"H"}, Value: true, Usage: "times as ago (false: RFC 3339)"},
			&cli.BoolFlag{Name: "noheading", Aliases: []string{"n"}, Usage: "no header line"},
			&cli.StringFlag{Name: "format", Usage: "json or a Go template, e.g. '{{.CreatedBy}}'"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("%w: history needs one image", errdefs.ErrInvalidArgument)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			img, err := e.InspectImage(c.Args().First())
			if err != nil {
				return err
			}
			var rows []historyRow
			for i := len(img.Config.History) - 1; i >= 0; i-- {
				h := img.Config.History[i]
				r := historyRow{ID: "<missing>", CreatedBy: h.CreatedBy, Comment: h.Comment, CreatedSince: "<unknown>", CreatedAt: "<unknown>"}
				if len(rows) == 0 {
					r.ID = "sha256:" + img.ID
				}
				if h.Created != nil {
					r.CreatedSince, r.CreatedAt = ago(*h.Created), h.Created.Format(time.RFC3339)
				}
				if !c.Bool("no-trunc") {
					if id := strings.TrimPrefix(r.ID, "sha256:"); len(id) > 12 {
						r.ID = id[:12]
					}
					if len(r.CreatedBy) > 45 {
						r.CreatedBy = r.CreatedBy[:44] + "…"
					}
				}
				rows = append(rows, r)
			}
			if c.Bool("quiet") {
				for _, r := range rows {
					if r.ID != "<missing>" {
						fmt.Println(r.ID)
					}
				}
				return nil
			}
			created := "{{.CreatedSince}}"
			if !c.Bool("human") {
				created = "{{.CreatedAt}}"
			}
			return writeList(rows, listFormat{
				format: c.String("format"), noHeading: c.Bool("noheading"),
				table:   "table {{.ID}}\t" + created + "\t{{.CreatedBy}}\t{{.Comment}}",
				headers: map[string]string{"ID": "IMAGE", "CreatedSince": "CREATED", "CreatedAt": "CREATED"},
			})
		},
	}
}

// historyRow is one entry of `history`, with docker's field names.
type historyRow struct {
	ID, CreatedSince, CreatedAt, CreatedBy, Comment string
}
