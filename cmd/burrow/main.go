// Command burrow runs rootless containers. One small file per verb; the
// verbs declare flags, build the engine's option structs and format what
// the engine returns.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// version is set by the Makefile from git.
var version = "dev"

// cmdline is the command line as normalizeArgs rewrote it (exec -d runs
// it again).
var cmdline []string

// Per-thread credentials, capabilities and seccomp in the container's init,
// exec helper and reaper must be set on the thread that execs: keep the main
// goroutine on the main thread from the start.
func init() { runtime.LockOSThread() }

func main() {
	if code, ok := engine.Role(os.Args); ok {
		os.Exit(code)
	}
	app := newApp()
	cmdline = normalizeArgs(app, os.Args)
	os.Exit(exitCode(app.Run(cmdline)))
}

// statusError carries a container's exit code out of a verb: burrow exits
// with it and prints nothing.
type statusError struct{ code int }

func (e statusError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var status statusError
	if errors.As(err, &status) {
		return status.code
	}
	fmt.Fprintf(os.Stderr, "Error: %v\n", err)
	return errdefs.ExitCode(err)
}

// usageError turns the flag parser's complaint into burrow's Error: line
// and exit 125, instead of a page of help.
func usageError(_ *cli.Context, err error, _ bool) error {
	return fmt.Errorf("%w: %v (see --help)", errdefs.ErrInvalidArgument, err)
}

func withUsageErrors(cmds []*cli.Command) []*cli.Command {
	for _, c := range cmds {
		c.OnUsageError = usageError
		// Without this every verb has a "help" subcommand aliased "h",
		// which shadows a container named h or help.
		c.HideHelpCommand = true
		if len(c.Subcommands) > 0 && c.Action == nil {
			c.Action = unknownCommand
		}
		withUsageErrors(c.Subcommands)
	}
	return cmds
}

func newApp() *cli.App {
	// -h is --hostname for run, as in docker; help stays --help.
	cli.HelpFlag = &cli.BoolFlag{Name: "help", Usage: "show help"}
	return &cli.App{
		DisableSliceFlagSeparator: true,
		Name:                      "burrow",
		Usage:                     "run containers without root",
		Version:                   version,
		UseShortOptionHandling:    true,
		HideHelpCommand:           true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "storage-driver", Usage: "overlay, fuse-overlayfs or vfs (default: probed once and recorded)", EnvVars: []string{"BURROW_STORAGE_DRIVER"}},
		},
		Commands: withUsageErrors([]*cli.Command{
			runCommand(), buildCommand(), builderCommand(), pullCommand(), pushCommand(), loginCommand(), logoutCommand(), saveCommand(),
			exportCommand(), historyCommand(), commitCommand(), updateCommand(), pauseCommand(true),
			pauseCommand(false), statsCommand(), loadCommand(), importCommand(), imagesCommand(), tagCommand(),
			rmiCommand(), imageCommand(), inspectCommand(), unshareCommand(), infoCommand(),
			psCommand(), logsCommand(), execCommand(), createCommand(), startCommand(), restartCommand(),
			renameCommand(), containerGroup(), systemGroup(), healthcheckGroup(), networkCommand(), volumeCommand(), diffCommand(), topCommand(), cpCommand(), attachCommand(), eventsCommand(), portCommand(), stopCommand(), killCommand(), rmCommand(), waitCommand(),
			untagCommand(), versionCommand(), completionCommand(),
		}),
		ExitErrHandler: func(*cli.Context, error) {}, // main prints errors once, with docker's codes
		OnUsageError:   usageError,
		Action:         unknownCommand,
	}
}

// unknownCommand answers a verb or subcommand burrow does not have with
// exit 125, as podman does, instead of urfave/cli's help lookup (exit 3).
func unknownCommand(c *cli.Context) error {
	if c.NArg() == 0 {
		return cli.ShowSubcommandHelp(c)
	}
	return fmt.Errorf("%w: unrecognized command `%s %s` (see --help)", errdefs.ErrInvalidArgument, c.Command.HelpName, c.Args().First())
}
