package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func volumeCommand() *cli.Command {
	format := &cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "Go template, e.g. '{{.Mountpoint}}'"}
	return &cli.Command{
		Name:  "volume",
		Usage: "manage volumes",
		Subcommands: []*cli.Command{
			{Name: "create", Usage: "create a volume", ArgsUsage: "[NAME]", Action: volumeCreate, Flags: []cli.Flag{
				&cli.StringFlag{Name: "driver", Aliases: []string{"d"}, Value: "local", Usage: "local (the only driver)"},
				&cli.StringSliceFlag{Name: "label", Aliases: []string{"l"}, Usage: "set a label KEY=VALUE"},
				&cli.StringSliceFlag{Name: "opt", Aliases: []string{"o"}, Usage: "type=tmpfs, o=size=64m; or type=none, o=bind, device=/path"},
				&cli.BoolFlag{Name: "ignore", Usage: "no error if the volume exists: print its name (its options stay as they are)"},
			}},
			{Name: "ls", Aliases: []string{"list"}, Usage: "list volumes", Action: volumeList, Flags: []cli.Flag{
				&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "names only"},
				&cli.StringSliceFlag{Name: "filter", Usage: "name=, label=KEY[=VALUE], dangling=true|false, driver="},
				&cli.StringFlag{Name: "format", Usage: "Go template, e.g. '{{.Name}} {{.Mountpoint}}'"},
			}},
			{Name: "inspect", Usage: "show volumes as JSON", ArgsUsage: "VOLUME...", Action: volumeInspect, Flags: []cli.Flag{format}},
			{Name: "rm", Aliases: []string{"remove"}, Usage: "remove volumes", ArgsUsage: "VOLUME...", Action: volumeRemove,
				Flags: []cli.Flag{&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "remove the containers that use it first"}}},
			{Name: "prune", Usage: "remove volumes no container uses", Action: volumePrune,
				Flags: []cli.Flag{
					&cli.BoolFlag{Name: "force", Aliases: []string{"f"}, Usage: "do not ask"},
					&cli.StringSliceFlag{Name: "filter", Usage: "only volumes with label=KEY[=VALUE], name=, driver="},
				}},
			{Name: "exists", Usage: "exit 0 if the volume exists, 1 if not", ArgsUsage: "VOLUME", Action: volumeExists},
			{Name: "export", Usage: "write a volume's content as a tar", ArgsUsage: "VOLUME", Action: volumeExport,
				Flags: []cli.Flag{&cli.StringFlag{Name: "output", Aliases: []string{"o"}, Usage: "write to a file instead of stdout"}}},
			{Name: "import", Usage: "unpack a tar into a volume", ArgsUsage: "VOLUME [FILE|-]", Action: volumeImport},
		},
	}
}

func volumeCreate(c *cli.Context) error {
	if c.NArg() > 1 {
		return fmt.Errorf("%w: volume create takes at most one NAME", errdefs.ErrInvalidArgument)
	}
	labels, err := parseLabels(c.StringSlice("label"))
	if err != nil {
		return err
	}
	opts := map[string]string{}
	for _, o := range c.StringSlice("opt") {
		k, v, ok := strings.Cut(o, "=")
		if !ok {
			return fmt.Errorf("%w: -o %q: want KEY=VALUE", errdefs.ErrInvalidArgument, o)
		}
		opts[k] = v
	}
	o := engine.VolumeCreateOptions{Name: c.Args().First(), Driver: c.String("driver"), Labels: labels, Options: opts, Ignore: c.Bool("ignore")}
	if err := engine.CheckVolumeCreate(o); err != nil {
		return err
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	v, err := e.CreateVolume(o)
	if err != nil {
		return err
	}
	fmt.Println(v.Name)
	return nil
}

func volumeList(c *cli.Context) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	all, err := e.Volumes(engine.VolumeListOptions{Filters: c.StringSlice("filter")})
	if err != nil {
		return err
	}
	switch {
	case c.Bool("quiet"):
		for _, v := range all {
			fmt.Println(v.Name)
		}
	case c.String("format") != "":
		for _, v := range all {
			if err := printTemplate(c.String("format"), v); err != nil {
				return err
			}
		}
	default:
		w := tabwriter.NewWriter(os.Stdout, 0, 8, 3, ' ', 0)
		fmt.Fprintln(w, "DRIVER\tVOLUME NAME")
		for _, v := range all {
			fmt.Fprintf(w, "%s\t%s\n", v.Driver, v.Name)
		}
		return w.Flush()
	}
	return nil
}

func volumeInspect(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: volume inspect needs a VOLUME", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var out []engine.Volume
	for _, name := range c.Args().Slice() {
		v, err := e.InspectVolume(name)
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	if f := c.String("format"); f != "" {
		for _, v := range out {
			if err := printTemplate(f, v); err != nil {
				return err
			}
		}
		return nil
	}
	return printJSON(out)
}

func volumeRemove(c *cli.Context) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: volume rm needs a VOLUME", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var errs []error
	for _, name := range c.Args().Slice() {
		if err := e.RemoveVolume(name, c.Bool("force")); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Println(name)
	}
	return errors.Join(errs...)
}

func volumePrune(c *cli.Context) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	removed, err := e.PruneVolumes(engine.VolumePruneOptions{Filters: c.StringSlice("filter")})
	for _, name := range removed {
		fmt.Println(name)
	}
	return err
}

func volumeExists(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: volume exists needs one VOLUME", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	_, err = e.InspectVolume(c.Args().First())
	if errors.Is(err, errdefs.ErrVolumeUnknown) {
		return statusError{1}
	}
	return err
}

func volumeExport(c *cli.Context) error {
	if c.NArg() != 1 {
		return fmt.Errorf("%w: volume export needs one VOLUME", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	out := os.Stdout
	if path := c.String("output"); path != "" {
		if out, err = os.Create(path); err != nil {
			return err
		}
		defer out.Close()
	}
	return e.ExportVolume(c.Args().First(), out)
}

func volumeImport(c *cli.Context) error {
	if c.NArg() < 1 || c.NArg() > 2 {
		return fmt.Errorf("%w: volume import needs VOLUME [FILE|-]", errdefs.ErrInvalidArgument)
	}
	in := os.Stdin
	if path := c.Args().Get(1); path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
		}
		defer f.Close()
		in = f
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	return e.ImportVolume(c.Args().First(), in)
}
