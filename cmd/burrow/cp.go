package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

func cpCommand() *cli.Command {
	return &cli.Command{
		Name: "cp", Usage: "copy files between a container and the host, two containers, or a tar on stdin/stdout (-)",
		ArgsUsage: "CONTAINER:SRC DST|- | SRC|- CONTAINER:DST | CONTAINER:SRC CONTAINER:DST",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}, Usage: "no progress: burrow cp prints none"},
			&cli.BoolFlag{Name: "archive", Aliases: []string{"a"}, Value: true, Usage: "files copied into a container become its user's (podman's default); --archive=false keeps their owners"},
			&cli.BoolFlag{Name: "overwrite", Usage: "replace a directory with a non-directory and the reverse (else an error)"},
			&cli.BoolFlag{Name: "follow-link", Aliases: []string{"L"}, Value: true, Usage: "copy what a symlink named as the source points at, resolved in its container (podman's default, docker's -L); --follow-link=false copies the link itself"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 2 {
				return fmt.Errorf("%w: cp needs a source and a destination", errdefs.ErrInvalidArgument)
			}
			src, dst := c.Args().Get(0), c.Args().Get(1)
			srcCtr, srcPath, srcIn := splitContainerPath(src)
			dstCtr, dstPath, dstIn := splitContainerPath(dst)
			if !srcIn && !dstIn {
				return fmt.Errorf("%w: one side of cp must be CONTAINER:PATH", errdefs.ErrInvalidArgument)
			}
			e, err := openEngine(c)
			if err != nil {
				return err
			}
			defer e.Close()
			o := engine.CopyOptions{Chown: c.Bool("archive"), NoFollow: !c.Bool("follow-link"), Overwrite: c.Bool("overwrite")}
			switch {
			case srcIn && dstIn:
				return e.CopyBetween(srcCtr, srcPath, dstCtr, dstPath, o)
			case srcIn && dst == "-":
				return e.CopyOutTar(srcCtr, srcPath, os.Stdout, o)
			case srcIn:
				return e.CopyOut(srcCtr, srcPath, dstPath, o)
			case src == "-":
				return e.CopyInTar(dstCtr, dstPath, os.Stdin, o)
			}
			return e.CopyIn(dstCtr, srcPath, dstPath, o)
		},
	}
}

// splitContainerPath reads CONTAINER:PATH; a plain or absolute path, or
// one that starts with ./, is the host's ("-" stays itself).
func splitContainerPath(arg string) (ctr, p string, inContainer bool) {
	if arg == "-" {
		return "", arg, false
	}
	name, rest, ok := strings.Cut(arg, ":")
	if !ok || name == "" || strings.ContainsRune(name, '/') || strings.HasPrefix(arg, ".") {
		abs, err := filepath.Abs(arg)
		if err != nil {
			abs = arg
		}
		return "", abs, false
	}
	return name, rest, true
}
