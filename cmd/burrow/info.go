package main

import (
	"fmt"
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
	case "json":
		return printJSON(info)
	case "":
		printInfo(info)
		return nil
	default:
		return printTemplate(format, info)
	}
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
