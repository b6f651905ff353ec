//go:build !buildverb

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// buildBinary is burrow built with the build verb, the API service and the
// registry client (buildkit's Dockerfile parser, the API's server and
// types, containers/image's docker transport, whose package initialisation
// every other command would pay for): burrow hands a build, `system
// service`, pull, push, login, and a run or create that must pull, over to
// it.
const buildBinary = "burrow-build"

func buildCommand() *cli.Command {
	return &cli.Command{
		Name: "build", Usage: "build an image from a Dockerfile or Containerfile (burrow build --help for the flags)",
		ArgsUsage: "CONTEXT", SkipFlagParsing: true, HideHelp: true,
		Action: func(*cli.Context) error {
			path, err := findBuildBinary()
			if err != nil {
				return err
			}
			// The same arguments, global flags included: burrow-build is
			// burrow with one more verb.
			return engine.HandOver(path)
		},
	}
}

// serve makes `system service` burrow-build, which serves the API (POST
// /build included), so that the API's server and types are no part of
// this binary's start-up; the process stays the same, so a socket that
// systemd passed (LISTEN_PID) is still this one's.
func serve(*cli.Context) error {
	path, err := findBuildBinary()
	if err != nil {
		return fmt.Errorf("burrow system service: %w", err)
	}
	return engine.HandOver(path)
}

// registryTransport: none here. The registry client's package
// initialisation is no part of burrow's start-up: pull, push and login,
// and a run or create whose image must be pulled, are burrow-build's.
func registryTransport() engine.Transport { return nil }

// registryHandOver hands a pull, push or login to burrow-build.
func registryHandOver() error {
	path, err := findBuildBinary()
	if err != nil {
		return fmt.Errorf("reaching a registry: %w", err)
	}
	return engine.HandOver(path)
}

// findBuildBinary looks beside this binary, then in PATH.
func findBuildBinary() (string, error) {
	self, err := os.Executable()
	if err == nil {
		candidate := filepath.Join(filepath.Dir(self), buildBinary)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s: %w", candidate, err)
		}
	}
	path, err := exec.LookPath(buildBinary)
	if err != nil {
		return "", fmt.Errorf("%w: the build verb, the API service and the registry client are in %s, which is neither beside burrow nor in PATH (make build makes it, make install installs it): %v", errdefs.ErrInvalidArgument, buildBinary, err)
	}
	return path, nil
}
