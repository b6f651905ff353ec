package main

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// Go's flag package, under urfave/cli, stops at the first positional
// argument and knows no joined short values. Scripts written for docker and
// podman (cobra/pflag) put flags after names (`inspect NAME --format X`),
// join values to short flags (`stop -t0`, `-p8080:80`) and end flags with
// `--`, and mix a flag's spellings (`-e A --env B`, which urfave/cli
// refuses). normalizeArgs rewrites such a command line, once, into the form
// Go's parser reads the same way: flags first, each by its long name with
// its value apart, then `--` and the positional arguments.

// stopsAtCommand lists the verbs whose arguments after the first
// positional one are a command to run (or top's ps options), never
// burrow's flags (podman's SetInterspersed(false)).
var stopsAtCommand = map[string]bool{"run": true, "create": true, "exec": true, "unshare": true, "shell": true, "top": true}

// normalizeArgs returns args (args[0] is the program) in Go flag order for
// app's command tree. Tokens it cannot place (unknown flags) are kept as
// they are, for the parser to refuse.
func normalizeArgs(app *cli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	flags, cmds := app.Flags, app.Commands
	rest := args[1:]
	for {
		// Before a verb (or a group's subcommand) only that level's flags.
		lead, _, tail, ended := splitFlags(flags, rest, false)
		out = append(out, lead...)
		if ended {
			return append(append(out, "--"), tail...)
		}
		var cmd *cli.Command
		if len(tail) > 0 {
			cmd = findCommand(cmds, tail[0])
		}
		if cmd == nil {
			return append(out, tail...)
		}
		out = append(out, tail[0])
		rest = tail[1:]
		if cmd.SkipFlagParsing {
			return append(out, rest...)
		}
		if len(cmd.Subcommands) > 0 {
			flags, cmds = cmd.Flags, cmd.Subcommands
			continue
		}
		lead, pos, tail, _ := splitFlags(cmd.Flags, rest, !stopsAtCommand[cmd.Name])
		out = append(out, lead...)
		if len(pos)+len(tail) > 0 {
			out = append(out, "--")
		}
		return append(append(out, pos...), tail...)
	}
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// splitFlags separates args into flags (with their values, split from
// them), positional arguments and what follows a `--` or, unless
// interspersed, the first positional argument. ended reports a `--`.
func splitFlags(flags []cli.Flag, args []string, interspersed bool) (lead, pos, tail []string, ended bool) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return lead, pos, args[i+1:], true
		case a == "-" || !strings.HasPrefix(a, "-"):
			if !interspersed {
				return lead, pos, args[i:], false
			}
			pos = append(pos, a)
			continue
		}
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := findFlag(flags, name)
		switch {
		case f != nil && hasValue:
			_, value, _ := strings.Cut(a, "=")
			lead = append(lead, "--"+f.Names()[0]+"="+value)
		case f == nil && strings.HasPrefix(a, "--"):
			lead = append(lead, a)
		case f != nil:
			lead = append(lead, "--"+f.Names()[0])
			if takesValue(f) && i+1 < len(args) {
				i++
				lead = append(lead, args[i])
			}
		default:
			split, consumed := splitShort(flags, a, args[i+1:])
			lead = append(lead, split...)
			i += consumed
		}
	}
	return lead, pos, nil, false
}

// splitShort reads a cluster of short flags (`-it`, `-t0`, `-itp8080:80`):
// bool flags one by one, then a value flag with the rest of the cluster,
// or the next argument, as its value. consumed counts the arguments taken
// from next. A cluster with an unknown letter is left whole.
func splitShort(flags []cli.Flag, a string, next []string) (out []string, consumed int) {
	letters := a[1:]
	for i, r := range letters {
		f := findFlag(flags, string(r))
		if f == nil {
			return []string{a}, 0
		}
		out = append(out, "--"+f.Names()[0])
		if !takesValue(f) {
			continue
		}
		if value := strings.TrimPrefix(letters[i+1:], "="); i+1 < len(letters) {
			return append(out, value), 0
		}
		if len(next) > 0 {
			return append(out, next[0]), 1
		}
		return out, 0
	}
	return out, 0
}

func findFlag(flags []cli.Flag, name string) cli.Flag {
	if name == "help" {
		return cli.HelpFlag
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	v, ok := f.(cli.DocGenerationFlag)
	return ok && v.TakesValue()
}

// isSet reports whether flag name (or one of its aliases) was given to c's
// command. urfave's IsSet scans every flag's names, a regexp each, on every
// call: with run's 230 flags and a check per refused flag that cost several
// milliseconds of each run. This finds them in one pass per command.
func isSet(c *cli.Context, name string) bool {
	s, ok := flagsGiven[c]
	if !ok {
		s = givenFlags(c)
		flagsGiven[c] = s
	}
	given, known := s[name]
	if !known {
		return c.IsSet(name) // not the command's own: a global flag
	}
	return given
}

// flagsGiven caches givenFlags per command context; a command runs once.
var flagsGiven = map[*cli.Context]map[string]bool{}

// givenFlags maps every name of c's command's flags to whether it was given
// (on the command line, or from its environment variable).
func givenFlags(c *cli.Context) map[string]bool {
	onLine := map[string]bool{}
	for _, n := range c.LocalFlagNames() {
		onLine[n] = true
	}
	out := map[string]bool{}
	if c.Command == nil {
		return out
	}
	for _, f := range c.Command.Flags {
		names := f.Names()
		given := f.IsSet()
		for _, n := range names {
			given = given || onLine[n]
		}
		for _, n := range names {
			out[n] = given
		}
	}
	return out
}
