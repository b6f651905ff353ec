package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/urfave/cli/v2"
)

func imageCommand() *cli.Command {
	return &cli.Command{
		Name:  "image",
		Usage: "manage images",
		Subcommands: []*cli.Command{
			{Name: "inspect", Usage: "show images' details as JSON", ArgsUsage: "IMAGE...", Flags: inspectFlags(), Action: inspectAction(true)},
			{Name: "ls", Aliases: []string{"list"}, Usage: "list images", Flags: imagesCommand().Flags, Action: imagesAction},
			{Name: "rm", Usage: "remove images", Flags: rmiCommand().Flags, Action: rmiAction},
			{Name: "tag", Usage: "name an image", Action: tagAction},
			{Name: "load", Usage: "load images", Flags: loadCommand().Flags, Action: loadAction},
			{Name: "import", Usage: "import a rootfs tarball", Flags: importCommand().Flags, Action: importAction},
			imagePruneCommand(), pullCommand(), pushCommand(), saveCommand(), historyCommand(),
			imageExists(), untagCommand(),
		},
	}
}

func inspectCommand() *cli.Command {
	return &cli.Command{Name: "inspect", Usage: "show details as JSON", ArgsUsage: "NAME...", Flags: inspectFlags(), Action: inspectAction(false)}
}

func inspectFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "json or a Go template, e.g. '{{.Config.Cmd}}'"},
		&cli.StringFlag{Name: "type", Aliases: []string{"t"}, Value: "all", Usage: "container, image or all"},
		&cli.BoolFlag{Name: "size", Aliases: []string{"s"}, Usage: "accepted for docker's scripts; sizes are always shown for images"},
		latestFlag,
	}
}

// imageInspect has docker's field names: scripts and tools read them.
type imageInspect struct {
	Id           string              `json:"Id"` //nolint:revive // docker's template name
	RepoTags     []string            `json:"RepoTags"`
	RepoDigests  []string            `json:"RepoDigests"`
	ManifestType string              `json:"ManifestType,omitempty"`
	Created      *time.Time          `json:"Created"`
	Author       string              `json:"Author"`
	Architecture string              `json:"Architecture"`
	Os           string              `json:"Os"`
	Size         int64               `json:"Size"`
	Config       imageInspectConfig  `json:"Config"`
	RootFS       imageRootFS         `json:"RootFS"`
	History      []imgspecv1.History `json:"History"`
	Labels       map[string]string   `json:"Labels"` // podman's, beside .Config.Labels
}

// imageRootFS is docker's .RootFS: the OCI config's diff IDs as Layers.
type imageRootFS struct {
	Type    string
	Layers  []string
	DiffIDs []string `json:"-"` // burrow's earlier template name for Layers
}

// imageInspectConfig is the OCI config with docker's additions beside
// its fields, as docker shows them.
type imageInspectConfig struct {
	imgspecv1.ImageConfig
	engine.DockerExtras
}

func inspectAction(imagesOnly bool) cli.ActionFunc {
	return func(c *cli.Context) error {
		switch t := c.String("type"); {
		case t == "image":
			imagesOnly = true
		case t == "container":
			return inspect(c, inspectContainer)
		case t != "all":
			return fmt.Errorf("%w: --type %q (want container, image or all)", errdefs.ErrInvalidArgument, t)
		}
		return inspect(c, func(e *engine.Engine, ref string) (any, error) { return inspectOne(e, ref, imagesOnly) })
	}
}

// inspect prints what find finds of each name, then the errors of what
// it does not.
func inspect(c *cli.Context, find func(e *engine.Engine, ref string) (any, error)) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	refs, err := inspectRefs(c, e)
	if err != nil {
		return err
	}
	var out []any
	var errs []error
	for _, ref := range refs {
		info, err := find(e, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, info)
	}
	return printInspected(c.String("format"), out, errs)
}

// inspectContainer is inspect --type container: images are not looked at.
func inspectContainer(e *engine.Engine, ref string) (any, error) {
	ctr, err := e.Container(ref)
	if err != nil {
		return nil, err
	}
	return newContainerInspect(e, ctr), nil
}

// inspectRefs are inspect's names, or the newest container's ID.
func inspectRefs(c *cli.Context, e *engine.Engine) ([]string, error) {
	if c.Bool("latest") {
		ref, _, err := targetArgs(c, e)
		return []string{ref}, err
	}
	if c.NArg() < 1 {
		return nil, fmt.Errorf("%w: inspect needs at least one name", errdefs.ErrInvalidArgument)
	}
	return c.Args().Slice(), nil
}

// printInspected prints what inspect found, as a JSON array or one
// template line each, then returns the errors of what it did not find.
func printInspected(format string, out []any, errs []error) error {
	if format != "" && format != "json" {
		for _, info := range out {
			if err := printTemplate(format, info); err != nil {
				return err
			}
		}
	} else if len(out) > 0 || len(errs) == 0 {
		if err := printJSON(out); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

// inspectOne looks for a container first, then an image, as docker does.
func inspectOne(e *engine.Engine, ref string, imagesOnly bool) (any, error) {
	if !imagesOnly {
		if info, err := inspectContainer(e, ref); err == nil {
			return info, nil
		}
	}
	return inspectImage(e, ref)
}

func inspectImage(e *engine.Engine, ref string) (imageInspect, error) {
	img, err := e.InspectImage(ref)
	if err != nil {
		return imageInspect{}, err
	}
	cfg := img.Config
	info := imageInspect{
		Id: "sha256:" + img.ID, RepoTags: img.Names, RepoDigests: []string{}, ManifestType: img.ManifestType, Created: cfg.Created,
		Author: cfg.Author, Architecture: cfg.Architecture, Os: cfg.OS, Size: img.Size,
		Config: imageInspectConfig{cfg.Config, img.Docker}, RootFS: imageRootFS{Type: cfg.RootFS.Type, Layers: []string{}}, History: cfg.History,
		Labels: cfg.Config.Labels,
	}
	for _, d := range cfg.RootFS.DiffIDs {
		info.RootFS.Layers = append(info.RootFS.Layers, d.String())
	}
	info.RootFS.DiffIDs = info.RootFS.Layers
	if info.Labels == nil {
		info.Labels = map[string]string{}
	}
	if info.RepoTags == nil {
		info.RepoTags = []string{}
	}
	for _, d := range img.Digests {
		for _, n := range img.Names {
			repo, _ := splitName(n)
			info.RepoDigests = append(info.RepoDigests, repo+"@"+d)
		}
	}
	return info, nil
}

// ID answers {{.ID}} as well as docker's {{.Id}}.
func (i imageInspect) ID() string { return i.Id }
