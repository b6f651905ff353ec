package main

import (
	"fmt"
	"io"
	"os"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
	"golang.org/x/term"
)

func loadCommand() *cli.Command {
	return &cli.Command{
		Name:  "load",
		Usage: "load images from a docker-archive or oci-archive (file or stdin)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "input", Aliases: []string{"i"}, Usage: "archive to read (default: stdin)"},
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress"},
		},
		Action: loadAction,
	}
}

func loadAction(c *cli.Context) error {
	path := c.String("input")
	if path == "" {
		if term.IsTerminal(int(os.Stdin.Fd())) {
			return fmt.Errorf("%w: no archive: give -i FILE or pipe one to stdin", errdefs.ErrInvalidArgument)
		}
	} else if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("%w: %v", errdefs.ErrInvalidArgument, err)
	}
	// Enter the namespace before reading stdin: openSession may re-execute
	// this command, and the new process must still find stdin unread.
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	if path == "" {
		tmp, err := spoolStdin()
		if err != nil {
			return err
		}
		defer os.Remove(tmp)
		path = tmp
	}
	loaded, err := e.Load(c.Context, path, reportWriter(c))
	for _, name := range loaded {
		fmt.Printf("Loaded image: %s\n", name)
	}
	return err
}

// spoolStdin copies an archive from stdin to a file: reading an archive
// needs to seek.
func spoolStdin() (string, error) {
	f, err := os.CreateTemp("", "burrow-load-*.tar")
	if err != nil {
		return "", fmt.Errorf("spool stdin: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(f, os.Stdin); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("read archive from stdin: %w", err)
	}
	return f.Name(), nil
}

func reportWriter(c *cli.Context) io.Writer {
	if c.Bool("quiet") {
		return nil
	}
	return os.Stderr
}
