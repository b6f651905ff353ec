package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/burrow/burrow/dockerapi"
	"github.com/burrow/burrow/errdefs"
	"github.com/coreos/go-systemd/v22/activation"
	"github.com/urfave/cli/v2"
)

func systemGroup() *cli.Command {
	return &cli.Command{
		Name: "system", Usage: "burrow itself",
		Subcommands: []*cli.Command{serviceCommand(), infoCommand(), systemPruneCommand(), systemDFCommand(), systemResetCommand(), systemMigrateCommand()},
	}
}

func serviceCommand() *cli.Command {
	return &cli.Command{
		Name:      "service",
		Usage:     "serve the Docker Engine API (docker CLI, compose, SDKs) in the foreground",
		ArgsUsage: "[unix:///PATH | tcp://HOST:PORT]",
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "time", Aliases: []string{"t"}, Value: 5, Usage: "exit after this many idle seconds (0: never)"},
		},
		Action: serviceAction,
	}
}

func serviceAction(c *cli.Context) error {
	if c.NArg() > 1 {
		return fmt.Errorf("%w: service takes at most one address", errdefs.ErrInvalidArgument)
	}
	if err := serviceHandOver(); err != nil {
		return err
	}
	// The engine first: opening it may re-execute burrow into the user
	// namespace, and the socket is then created by the user's own ID.
	e, err := openEngine(c)
	if err != nil {
		return err
	}
	defer e.Close()
	l, err := listen(c.Args().First())
	if err != nil {
		return err
	}
	defer l.Close()
	idle := time.Duration(c.Int("time")) * time.Second
	return dockerapi.New(e, version).Serve(l, idle)
}

// listen opens the API's socket: systemd's (socket activation), else the
// one named, else $XDG_RUNTIME_DIR/burrow/burrow.sock, mode 0600. TCP
// only when asked for by name, with a warning: it has no authentication.
func listen(addr string) (net.Listener, error) {
	if ls, err := activation.Listeners(); err == nil && len(ls) > 0 && ls[0] != nil {
		return ls[0], nil
	}
	if strings.HasPrefix(addr, "tcp://") {
		warn("serving the API on " + addr + " without authentication: anyone who reaches it runs containers as you")
		return net.Listen("tcp", strings.TrimPrefix(addr, "tcp://"))
	}
	path := strings.TrimPrefix(addr, "unix://")
	if path == "" {
		dir := os.Getenv("XDG_RUNTIME_DIR")
		if dir == "" {
			return nil, fmt.Errorf("%w: XDG_RUNTIME_DIR is not set: name the socket (unix:///PATH)", errdefs.ErrInvalidArgument)
		}
		path = filepath.Join(dir, "burrow", "burrow.sock")
	}
	if strings.Contains(addr, "://") && !strings.HasPrefix(addr, "unix://") {
		return nil, fmt.Errorf("%w: %s: want unix:///PATH or tcp://HOST:PORT", errdefs.ErrInvalidArgument, addr)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// A socket nobody answers on is a dead service's: take its place.
	if conn, err := net.Dial("unix", path); err == nil {
		conn.Close()
		return nil, fmt.Errorf("%w: %s: another service answers there", errdefs.ErrInvalidArgument, path)
	}
	_ = os.Remove(path)
	old := unixUmask(0o177)
	l, err := net.Listen("unix", path)
	unixUmask(old)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", path, err)
	}
	return l, nil
}
