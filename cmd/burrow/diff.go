package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"

	"github.com/burrow/burrow/engine"
	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// oneContainer opens the engine and finds the single container a verb names.
func oneContainer(c *cli.Context, verb string, args int) (*engine.Engine, engine.Container, error) {
	if c.NArg() < args {
		return nil, engine.Container{}, fmt.Errorf("%w: %s needs a container", errdefs.ErrInvalidArgument, verb)
	}
	e, err := openEngine(c)
	if err != nil {
		return nil, engine.Container{}, err
	}
	ctr, err := e.Container(c.Args().First())
	if err != nil {
		e.Close()
		return nil, ctr, err
	}
	return e, ctr, nil
}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name: "diff", Usage: "list files changed in a container's filesystem (A added, C changed, D deleted)", ArgsUsage: "CONTAINER",
		Action: func(c *cli.Context) error {
			e, ctr, err := oneContainer(c, "diff", 1)
			if err != nil {
				return err
			}
			defer e.Close()
			changes, err := e.Diff(ctr.ID)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				fmt.Println(ch.String())
			}
			return nil
		},
	}
}

func topCommand() *cli.Command {
	return &cli.Command{
		Name: "top", Usage: "list a running container's processes: podman's descriptors (pid user comm args etime ...) or ps options", ArgsUsage: "CONTAINER [DESCRIPTOR... | ps OPTIONS]",
		Action: func(c *cli.Context) error {
			e, ctr, err := oneContainer(c, "top", 1)
			if err != nil {
				return err
			}
			defer e.Close()
			pids, err := e.Top(ctr.ID)
			if err != nil {
				return err
			}
			format := psOptions(c.Args().Tail())
			list := make([]string, len(pids))
			for i, p := range pids {
				list[i] = strconv.Itoa(p)
			}
			cmd := exec.Command("ps", append(format, "-p", strings.Join(list, ","))...)
			cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
			return cmd.Run()
		},
	}
}

// topDescriptors are podman's top descriptors as ps keywords and their
// column headers.
var topDescriptors = map[string][2]string{
	"args": {"args", "COMMAND"}, "comm": {"comm", "COMMAND"}, "etime": {"etime", "ELAPSED"}, "group": {"group", "GROUP"},
	"nice": {"nice", "NI"}, "pcpu": {"pcpu", "%CPU"}, "pgid": {"pgid", "PGID"}, "pid": {"pid", "PID"}, "ppid": {"ppid", "PPID"},
	"rgroup": {"rgroup", "RGROUP"}, "ruser": {"ruser", "RUSER"}, "state": {"stat", "STATE"}, "stime": {"stime", "STIME"},
	"time": {"time", "TIME"}, "tty": {"tty", "TTY"}, "user": {"user", "USER"}, "vsz": {"vsz", "VSZ"},
}

// psOptions turns top's arguments into ps options: descriptors (podman's
// form) become -o columns, anything else goes to ps as it is.
func psOptions(args []string) []string {
	if len(args) == 0 {
		return []string{"-o", "uid,pid,ppid,c,stime,tty,time,cmd"}
	}
	var out []string
	for _, a := range args {
		for _, d := range strings.Split(a, ",") {
			col, ok := topDescriptors[d]
			if !ok {
				return withoutSelection(args)
			}
			out = append(out, "-o", col[0]+"="+col[1])
		}
	}
	return out
}

// withoutSelection drops ps's own process selection (-e, -A, ax, ...)
// from options that are passed on: ps runs on the host, and -p with the
// container's PIDs must stay the only selection, as podman's ps inside the
// container's PID namespace sees only the container.
func withoutSelection(args []string) []string {
	var out []string
	for i, a := range args {
		// The value of an option (-o args) is no selection.
		takesValue := i > 0 && strings.HasPrefix(args[i-1], "-") && !strings.Contains(args[i-1], "=") &&
			strings.ContainsAny(args[i-1][len(args[i-1])-1:], "oOpqtuUgGC")
		switch {
		case takesValue:
		case a == "--deselect" || a == "-N":
			continue
		case strings.HasPrefix(a, "--"):
		case strings.HasPrefix(a, "-"):
			a = "-" + strings.Map(func(r rune) rune {
				if strings.ContainsRune("eAadNg", r) {
					return -1
				}
				return r
			}, a[1:])
		case strings.Trim(a, "auxgwfcehjlrsvmSTU") == "" && !strings.Contains(a, ","):
			// BSD style (aux): a, x and g select processes.
			a = strings.Map(func(r rune) rune {
				if strings.ContainsRune("axg", r) {
					return -1
				}
				return r
			}, a)
		}
		if a != "-" && a != "" {
			out = append(out, a)
		}
	}
	return out
}
