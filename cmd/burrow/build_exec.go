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
	"github.com/urfave/cli/v2"
)

// buildBinary is burrow built with the build verb (and buildkit's
// Dockerfile parser, whose package initialisation every other command
// would pay for): burrow hands a build over to it.
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

// serviceHandOver makes `system service` burrow-build, whose API serves
// POST /build as well; the process stays the same, so a socket that
// systemd passed (LISTEN_PID) is still this one's. Without burrow-build
// the service runs here and says why a build fails.
func serviceHandOver() error {
	path, err := findBuildBinary()
	if err != nil {
		return nil
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
		return "", fmt.Errorf("burrow build needs %s beside burrow or in PATH (make build makes it, make install installs it): %w", buildBinary, err)
	}
	return path, nil
}
