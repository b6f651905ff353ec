package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/urfave/cli/v2"
)

func infoCommand() *cli.Command {
	return &cli.Command{
		Name:    "info",
		Aliases: []string{"check"},
		Usage:   "show what this host allows, what burrow uses and what is missing",
		Flags:   []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "json or a Go template"}},
		Action:  infoAction,
	}
}

func infoAction(c *cli.Context) error {
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	info := e.Info()
	switch format := c.String("format"); format {
	case "":
		printInfo(info)
		return nil
	default:
		return printTemplate(format, newInfoView(e, info))
	}
}

// infoView is burrow's own info with podman's paths beside it
// (.Host.OCIRuntime.Name, .Host.Security.Rootless, .Store.GraphRoot, ...),
// so scripts written for `podman info --format` read the same facts.
type infoView struct {
	engine.Info
	Host    infoHost      `json:"host"`
	Store   infoStore     `json:"store"`
	Version clientVersion `json:"version"`
}

type infoHost struct {
	Arch              string        `json:"arch"`
	OS                string        `json:"os"`
	Kernel            string        `json:"kernel"`
	Hostname          string        `json:"hostname"`
	CgroupManager     string        `json:"cgroupManager"`
	CgroupsVersion    string        `json:"cgroupVersion"`
	CgroupControllers []string      `json:"cgroupControllers"`
	OCIRuntime        infoRuntime   `json:"ociRuntime"`
	Security          infoSecurity  `json:"security"`
	IDMappings        infoIDMapping `json:"idMappings"`
	NetworkBackend    string        `json:"networkBackend"`
}

type infoRuntime struct {
	Name    string `json:"name"`
	Path    string `json:"path"`
	Version string `json:"version"`
}

type infoSecurity struct {
	Rootless       bool `json:"rootless"`
	SECCOMPEnabled bool `json:"seccompEnabled"`
}

type infoIDMapping struct {
	UIDMap []idMap `json:"uidmap"`
	GIDMap []idMap `json:"gidmap"`
}

type idMap struct {
	ContainerID int `json:"container_id"`
	HostID      int `json:"host_id"`
	Size        int `json:"size"`
}

type infoStore struct {
	GraphDriverName string     `json:"graphDriverName"`
	GraphRoot       string     `json:"graphRoot"`
	RunRoot         string     `json:"runRoot"`
	ImageStore      infoNumber `json:"imageStore"`
	ContainerStore  infoCount  `json:"containerStore"`
}

type infoNumber struct {
	Number int `json:"number"`
}

type infoCount struct {
	Number, Paused, Running, Stopped int
}

func newInfoView(e *engine.Engine, info engine.Info) infoView {
	v := infoView{Info: info}
	host, _ := os.Hostname()
	self, _ := os.Executable()
	v.Host = infoHost{
		Arch: runtime.GOARCH, OS: runtime.GOOS, Kernel: info.Kernel, Hostname: host,
		CgroupManager: info.Cgroup.Manager, CgroupsVersion: "v2", CgroupControllers: info.Cgroup.Controllers,
		OCIRuntime:     infoRuntime{Name: "burrow", Path: self, Version: version},
		Security:       infoSecurity{Rootless: true, SECCOMPEnabled: true},
		IDMappings:     infoIDMapping{UIDMap: parseIDMap(info.UIDMap), GIDMap: parseIDMap(info.GIDMap)},
		NetworkBackend: "burrow",
	}
	v.Store = infoStore{GraphDriverName: strings.TrimSuffix(firstWord(info.StorageDriver), ";"), GraphRoot: info.GraphRoot, RunRoot: info.RunRoot}
	if images, err := e.Images(); err == nil {
		v.Store.ImageStore.Number = len(images)
	}
	if ctrs, err := e.Containers(); err == nil {
		for _, c := range ctrs {
			v.Store.ContainerStore.Number++
			switch {
			case c.Paused:
				v.Store.ContainerStore.Paused++
			case c.Running:
				v.Store.ContainerStore.Running++
			default:
				v.Store.ContainerStore.Stopped++
			}
		}
	}
	v.Version = newClientVersion()
	return v
}

func firstWord(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return ""
}

// parseIDMap reads engine.Info's "inside:outside:size,..." form.
func parseIDMap(s string) []idMap {
	var out []idMap
	for _, part := range strings.Split(s, ",") {
		var m idMap
		if _, err := fmt.Sscanf(part, "%d:%d:%d", &m.ContainerID, &m.HostID, &m.Size); err == nil {
			out = append(out, m)
		}
	}
	return out
}

func printInfo(info engine.Info) {
	fmt.Printf("kernel:          %s\n", info.Kernel)
	fmt.Printf("storage driver:  %s\n", info.StorageDriver)
	fmt.Printf("graph root:      %s\n", info.GraphRoot)
	fmt.Printf("run root:        %s\n", info.RunRoot)
	fmt.Printf("uid map:         %s\n", info.UIDMap)
	fmt.Printf("gid map:         %s\n", info.GIDMap)
	fmt.Printf("cgroup manager:  %s %s\n", info.Cgroup.Manager, info.Cgroup.Dir)
	fmt.Printf("controllers:     %s\n", strings.Join(info.Cgroup.Controllers, " "))
	if info.Cgroup.Fix != "" {
		fmt.Printf("  missing %s: %s\n", strings.Join(info.Cgroup.Missing, " "), info.Cgroup.Fix)
	}
	fmt.Println("helpers:")
	for _, h := range info.Helpers {
		if h.Missing != "" {
			fmt.Printf("  %-15s missing: %s\n", h.Name, h.Missing)
			continue
		}
		fmt.Printf("  %-15s %s %s\n", h.Name, h.Path, h.Version)
	}
	for _, w := range info.Warnings {
		fmt.Printf("warning: %s\n", w)
	}
}
