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
	"github.com/urfave/cli/v2"
)

func buildCommand() *cli.Command {
	cmd := &cli.Command{
		Name: "build", Usage: "build an image from a Dockerfile or Containerfile", ArgsUsage: "CONTEXT",
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "tag", Aliases: []string{"t"}, Usage: "name the image (repeatable)"},
			&cli.StringFlag{Name: "file", Aliases: []string{"f"}, Usage: "the Dockerfile (- for stdin; default CONTEXT/Containerfile, else CONTEXT/Dockerfile)"},
			&cli.StringSliceFlag{Name: "build-arg", Usage: "NAME=VALUE for an ARG (NAME alone: from the environment)"},
			&cli.StringFlag{Name: "target", Usage: "the stage to end with"},
			&cli.BoolFlag{Name: "no-cache", Usage: "make every step anew"},
			&cli.StringFlag{Name: "pull", Value: "missing", Usage: "missing, always (or true), never: when to pull base images"},
			&cli.StringFlag{Name: "network", Usage: "network of the RUN steps (as run's --network)"},
			&cli.StringSliceFlag{Name: "label", Usage: "k=v label on the image (repeatable)"},
			&cli.StringFlag{Name: "iidfile", Usage: "write the image ID to this file"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "print only the image ID"},
		},
		Action: func(c *cli.Context) error {
			opt, err := buildOptions(c)
			if err != nil {
				return err
			}
			plan, err := build.Prepare(opt)
			if err != nil {
				return err
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
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

func buildOptions(c *cli.Context) (build.Options, error) {
	if c.NArg() != 1 {
		return build.Options{}, fmt.Errorf("%w: build needs one CONTEXT directory", errdefs.ErrInvalidArgument)
	}
	if err := build.CheckContext(c.Args().First()); err != nil {
		return build.Options{}, err
	}
	o := build.Options{ContextDir: c.Args().First(), Tags: c.StringSlice("tag"), Target: c.String("target"),
		NoCache: c.Bool("no-cache"), Network: c.String("network"), Registry: registryOptions(c), BuildArgs: map[string]string{}}
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
	o.DockerfileName, o.Dockerfile, err = readDockerfile(c.String("file"), o.ContextDir)
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
