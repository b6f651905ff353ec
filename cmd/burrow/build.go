//go:build buildverb

package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/burrow/burrow/build"
	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/imageio/dockertransport"
	"github.com/urfave/cli/v2"
)

// registryTransport: this binary reaches registries itself.
func registryTransport() engine.Transport { return dockertransport.Transport{} }

// registryHandOver: this binary pulls, pushes and logs in itself.
func registryHandOver() error { return nil }

func buildCommand() *cli.Command {
	cmd := &cli.Command{
		Name: "build", Usage: "build an image from a Dockerfile or Containerfile", ArgsUsage: "CONTEXT (a directory, or - for a tar on stdin)",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "name the image (repeatable)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the Dockerfile (- for stdin; default CONTEXT/Containerfile, else CONTEXT/Dockerfile)"},
			&cli.StringSliceFlag{Name: "build-arg", Usage: "NAME=VALUE for an ARG (NAME alone: from the environment)"},
			&cli.StringFlag{Name: "target", Usage: "the stage to end with"},
			&cli.BoolFlag{Name: "no-cache", Usage: "make every step anew"},
			&cli.BoolFlag{Name: "layers", Value: true, EnvVars: []string{"BUILDAH_LAYERS"}, Usage: "keep each step's image as cache (false: no cache, one new layer per image)"},
			&cli.StringFlag{Name: "pull", Value: "missing", Usage: "missing, always (or true), never: when to pull base images"},
			&cli.StringFlag{Name: "network", Usage: "network of the RUN steps (as run's --network)"},
			&cli.StringSliceFlag{Name: "label", Usage: "k=v label on the image (repeatable)"},
			&cli.StringFlag{Name: "iidfile", Usage: "write the image ID to this file"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the image ID"},
			&cli.StringSliceFlag{Name: "secret", Usage: "id=ID,src=FILE or id=ID,env=VAR: a secret for RUN --mount=type=secret (in no layer)"},
		},
		Action: func(c *cli.Context) error {
			var e *engine.Engine
			defer func() {
				if e != nil {
					e.Close()
				}
			}()
			contextDir := c.Args().First()
			if contextDir == "-" && c.NArg() == 1 {
				// The context's files go to the engine's session directory,
				// which the next command removes should this one be killed.
				if c.String("file") == "-" {
					return fmt.Errorf("%w: the context and the Dockerfile cannot both come from stdin", errdefs.ErrInvalidArgument)
				}
				var err error
				if e, err = openEngine(c); err != nil {
					return err
				}
				if contextDir, err = build.ExtractContext(os.Stdin); err != nil {
					return err
				}
			}
			opt, err := buildOptions(c, contextDir)
			if err != nil {
				return err
			}
			plan, err := build.Prepare(opt)
			if err != nil {
				return err
			}
			if e == nil {
				if e, err = openEngine(c); err != nil {
					return err
				}
			}
			id, err := plan.Run(c.Context, e)
			if err != nil {
				return err
			}
			if f := c.String("iidfile"); f != "" {
				if err := os.WriteFile(f, []byte("sha256:"+id), 0o644); err != nil {
					return fmt.Errorf("--iidfile: %w", err)
				}
			}
			fmt.Println(id)
			return nil
		},
	}
	cmd.Flags = append(cmd.Flags, registryFlags()...)
	return cmd
}

func buildOptions(c *cli.Context, contextDir string) (build.Options, error) {
	if c.NArg() != 1 {
		return build.Options{}, fmt.Errorf("%w: build needs one CONTEXT directory (or - for a tar on stdin)", errdefs.ErrInvalidArgument)
	}
	if err := build.CheckContext(contextDir); err != nil {
		return build.Options{}, err
	}
	o := build.Options{ContextDir: contextDir, Tags: c.StringSlice("tag"), Target: c.String("target"),
		NoCache: c.Bool("no-cache"), NoLayers: !c.Bool("layers"), Network: c.String("network"), Registry: registryOptions(c), BuildArgs: map[string]string{},
		Secrets: map[string]build.Secret{}, Platform: c.String("platform")}
	for _, v := range c.StringSlice("secret") {
		id, s, err := build.ParseSecret(v)
		if err != nil {
			return o, err
		}
		o.Secrets[id] = s
	}
	for _, t := range o.Tags {
		if _, err := engine.NormalizeName(t); err != nil {
			return o, err
		}
	}
	switch p := c.String("pull"); p {
	case "true":
		o.Pull = engine.PullAlways
	case "false":
		o.Pull = engine.PullMissing
	case "missing", "always", "never":
		o.Pull = engine.PullPolicy(p)
	default:
		return o, fmt.Errorf("%w: --pull %q (want missing, always or never)", errdefs.ErrInvalidArgument, p)
	}
	for _, v := range c.StringSlice("build-arg") {
		k, val, ok, err := build.ParseBuildArg(v, os.LookupEnv)
		if err != nil {
			return o, err
		}
		if ok {
			o.BuildArgs[k] = val
		}
	}
	var err error
	if o.Labels, err = parseLabels(c.StringSlice("label")); err != nil {
		return o, err
	}
	if !c.Bool("quiet") {
		o.Out = os.Stdout
	}
	file := c.String("file")
	if c.Args().First() == "-" && file != "" && !filepath.IsAbs(file) {
		file = filepath.Join(contextDir, file) // -f names a file in the tar
	}
	o.DockerfileName, o.Dockerfile, err = readDockerfile(file, o.ContextDir)
	if file != "-" {
		o.DockerfilePath = o.DockerfileName
	}
	return o, err
}

// readDockerfile reads -f (or stdin for -), else the context's
// Containerfile, else its Dockerfile.
func readDockerfile(name, contextDir string) (string, []byte, error) {
	if name == "-" {
		data, err := io.ReadAll(os.Stdin)
		return "stdin", data, err
	}
	candidates := []string{name}
	if name == "" {
		candidates = []string{filepath.Join(contextDir, "Containerfile"), filepath.Join(contextDir, "Dockerfile")}
	}
	for _, f := range candidates {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return f, data, err
	}
	return "", nil, fmt.Errorf("%w: no %s", errdefs.ErrInvalidArgument, filepath.Join(contextDir, "Containerfile or Dockerfile"))
}
