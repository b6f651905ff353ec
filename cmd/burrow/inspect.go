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
		},
	}
}

func inspectCommand() *cli.Command {
	return &cli.Command{Name: "inspect", Usage: "show details as JSON", ArgsUsage: "NAME...", Flags: inspectFlags(), Action: inspectAction(false)}
}

func inspectFlags() []cli.Flag {
	return []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "Go template, e.g. '{{.Config.Cmd}}'"}}
}

// imageInspect has docker's field names: scripts and tools read them.
type imageInspect struct {
	ID           string              `json:"Id"`
	RepoTags     []string            `json:"RepoTags"`
	RepoDigests  []string            `json:"RepoDigests"`
	Created      *time.Time          `json:"Created"`
	Author       string              `json:"Author"`
	Architecture string              `json:"Architecture"`
	Os           string              `json:"Os"`
	Size         int64               `json:"Size"`
	Config       imageInspectConfig  `json:"Config"`
	RootFS       imgspecv1.RootFS    `json:"RootFS"`
	History      []imgspecv1.History `json:"History"`
}

// imageInspectConfig is the OCI config with docker's additions beside
// its fields, as docker shows them.
type imageInspectConfig struct {
	imgspecv1.ImageConfig
	engine.DockerExtras
}

func inspectAction(imagesOnly bool) cli.ActionFunc {
	return func(c *cli.Context) error { return inspect(c, imagesOnly) }
}

func inspect(c *cli.Context, imagesOnly bool) error {
	if c.NArg() < 1 {
		return fmt.Errorf("%w: inspect needs at least one name", errdefs.ErrInvalidArgument)
	}
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	var out []any
	var errs []error
	for _, ref := range c.Args().Slice() {
		info, err := inspectOne(e, ref, imagesOnly)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, info)
	}
	if format := c.String("format"); format != "" {
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
		if ctr, err := e.Container(ref); err == nil {
			return newContainerInspect(e, ctr), nil
		}
	}
	return inspectImage(e, ref)
}

// containerInspect has docker's field names for the parts burrow knows.
type containerInspect struct {
	ID      string `json:"Id"`
	Name    string `json:"Name"`
	Created time.Time
	Path    string
	Args    []string
	Image   string
	State   struct {
		Status     string
		Running    bool
		Paused     bool
		OOMKilled  bool
		Pid        int
		ExitCode   int
		StartedAt  time.Time
		FinishedAt time.Time
		Health     *engine.HealthState `json:",omitempty"`
	}
	Config struct {
		Image       string
		Cmd         []string
		StopSignal  string `json:",omitempty"`
		StopTimeout *int   `json:",omitempty"`
	}
	HostConfig struct {
		NetworkMode  string
		PidMode      string
		IpcMode      string
		UTSMode      string
		CgroupnsMode string
	}
	NetworkSettings struct {
		Ports             map[string][]portBinding
		IPAddress         string
		IPPrefixLen       int
		Gateway           string
		GlobalIPv6Address string
	}
}

// portBinding is docker's .NetworkSettings.Ports entry.
type portBinding struct {
	HostIP   string `json:"HostIp"`
	HostPort string
}

func newContainerInspect(e *engine.Engine, c engine.Container) containerInspect {
	var info containerInspect
	info.ID, info.Name, info.Created = c.ID, c.Record.Name, c.Record.Created
	if len(c.Record.Command) > 0 {
		info.Path, info.Args = c.Record.Command[0], c.Record.Command[1:]
	}
	info.Image = "sha256:" + c.Record.ImageID
	info.State.Status, info.State.Running, info.State.Paused, info.State.Pid = c.Status(), c.Running, c.Paused, c.Pid
	info.State.ExitCode, info.State.StartedAt, info.State.FinishedAt = c.Record.ExitCode, c.Record.Started, c.Record.Finished
	info.State.OOMKilled, info.State.Health = c.Record.OOMKilled, c.Health
	info.Config.Image, info.Config.Cmd = c.Record.ImageName, c.Record.Command
	info.HostConfig.NetworkMode = c.Record.Network
	info.Config.StopSignal, info.Config.StopTimeout = c.Record.StopSignal, c.Record.StopTimeout
	ns := c.Record.Namespaces
	info.HostConfig.PidMode, info.HostConfig.IpcMode, info.HostConfig.UTSMode = ns.PID, ns.IPC, ns.UTS
	info.HostConfig.CgroupnsMode = ns.Cgroup
	if info.HostConfig.IpcMode == "" {
		info.HostConfig.IpcMode = "private"
	}
	if info.HostConfig.CgroupnsMode == "" {
		info.HostConfig.CgroupnsMode = "private"
	}
	// A container gone since it was listed has no addresses to show.
	if a, ok := e.Addresses(c); ok {
		setAddresses(&info, a)
	}
	info.NetworkSettings.Ports = map[string][]portBinding{}
	for _, p := range c.Record.Ports {
		key := fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)
		ip := p.HostIP
		if ip == "" {
			ip = "0.0.0.0"
		}
		info.NetworkSettings.Ports[key] = append(info.NetworkSettings.Ports[key], portBinding{HostIP: ip, HostPort: fmt.Sprint(p.HostPort)})
	}
	return info
}

func setAddresses(info *containerInspect, a engine.Addresses) {
	n := &info.NetworkSettings
	if a.IPv4 != nil {
		n.IPAddress, n.IPPrefixLen = a.IPv4.String(), a.PrefixLen
	}
	if a.Gateway != nil {
		n.Gateway = a.Gateway.String()
	}
	if a.IPv6 != nil {
		n.GlobalIPv6Address = a.IPv6.String()
	}
}

func inspectImage(e *engine.Engine, ref string) (imageInspect, error) {
	img, err := e.InspectImage(ref)
	if err != nil {
		return imageInspect{}, err
	}
	cfg := img.Config
	info := imageInspect{
		ID: "sha256:" + img.ID, RepoTags: img.Names, RepoDigests: []string{}, Created: cfg.Created,
		Author: cfg.Author, Architecture: cfg.Architecture, Os: cfg.OS, Size: img.Size,
		Config: imageInspectConfig{cfg.Config, img.Docker}, RootFS: cfg.RootFS, History: cfg.History,
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
