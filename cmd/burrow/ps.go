package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/burrow/burrow/lifecycle"
	"github.com/docker/go-units"
	"github.com/urfave/cli/v2"
)

func psCommand() *cli.Command {
	return &cli.Command{
		Name:  "ps",
		Usage: "list containers",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "all", Aliases: []string{"a"}, Usage: "also stopped containers"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "only IDs"},
			&cli.BoolFlag{Name: "no-trunc", Usage: "full IDs and commands"},
			&cli.StringFlag{Name: "format", Usage: "json or a Go template, e.g. '{{.Names}}'"},
		},
		Action: psAction,
	}
}

// psRow has docker's field names, for --format.
type psRow struct {
	ID, Image, Command, CreatedAt, RunningFor, Status, Names, State string
	ExitCode                                                        int
}

func psAction(c *cli.Context) error {
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	all, err := lifecycle.List(sess.store, sess.paths.RunRoot)
	if err != nil {
		return err
	}
	var rows []psRow
	for _, ctr := range all {
		if ctr.Running || c.Bool("all") {
			rows = append(rows, newPSRow(ctr, c.Bool("no-trunc")))
		}
	}
	switch format := c.String("format"); {
	case c.Bool("quiet"):
		for _, r := range rows {
			fmt.Println(r.ID)
		}
		return nil
	case format == "json":
		return printJSON(rows)
	case format != "":
		for _, r := range rows {
			if err := printTemplate(format, r); err != nil {
				return err
			}
		}
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 3, ' ', 0)
	fmt.Fprintln(w, "CONTAINER ID\tIMAGE\tCOMMAND\tCREATED\tSTATUS\tNAMES")
	for _, r := range rows {
		fmt.Fprintf(w, "%s\t%s\t%q\t%s\t%s\t%s\n", r.ID, r.Image, r.Command, r.RunningFor, r.Status, r.Names)
	}
	return w.Flush()
}

func newPSRow(c lifecycle.Container, noTrunc bool) psRow {
	r := psRow{
		ID: c.ID, Image: c.Record.ImageName, Command: strings.Join(c.Record.Command, " "),
		CreatedAt: c.Record.Created.Format(time.RFC3339), RunningFor: ago(c.Record.Created),
		Names: c.Record.Name, State: c.Status(), ExitCode: c.Record.ExitCode,
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
	case "exited":
		r.Status = fmt.Sprintf("Exited (%d) %s", c.Record.ExitCode, ago(c.Record.Finished))
	default:
		r.Status = "Created"
	}
	return r
}

func ago(t time.Time) string { return units.HumanDuration(time.Since(t)) + " ago" }
