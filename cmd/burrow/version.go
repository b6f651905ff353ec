package main

import (
	"runtime"

	"github.com/burrow/burrow/dockerapi/apiversion"
	"github.com/urfave/cli/v2"
)

// versionInfo answers both podman's and docker's --format paths
// (.Client.Version, .Client.APIVersion / .Client.ApiVersion, .Client.OsArch
// / .Client.Os); burrow has no server apart from its client.
type versionInfo struct {
	Client clientVersion
}

type clientVersion struct {
	Version    string
	APIVersion string
	ApiVersion string //nolint:revive // docker's spelling, for docker's format strings
	GoVersion  string
	OsArch     string
	Os, Arch   string
}

func versionCommand() *cli.Command {
	return &cli.Command{
		Name: "version", Usage: "show burrow's version, the Docker API version it serves, Go and OS/arch",
		Flags: []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "json or a Go template, e.g. '{{.Client.Version}}'"}},
		Action: func(c *cli.Context) error {
			v := versionInfo{Client: newClientVersion()}
			if f := c.String("format"); f != "" {
				return printTemplate(f, v)
			}
			return printTemplate("Version:      {{.Client.Version}}\nAPI Version:  {{.Client.APIVersion}}\nGo Version:   {{.Client.GoVersion}}\nOS/Arch:      {{.Client.OsArch}}", v)
		},
	}
}

func newClientVersion() clientVersion {
	return clientVersion{
		Version: version, APIVersion: apiversion.Version, ApiVersion: apiversion.Version,
		GoVersion: runtime.Version(), OsArch: runtime.GOOS + "/" + runtime.GOARCH, Os: runtime.GOOS, Arch: runtime.GOARCH,
	}
}
