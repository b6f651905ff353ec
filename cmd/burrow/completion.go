package main

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/urfave/cli/v2"
)

// completionCommand prints a completion script for bash, zsh or fish,
// written from the command tree itself, so a new verb or flag completes
// without editing a script. Names of containers and images come from
// burrow at completion time.
func completionCommand() *cli.Command {
	return &cli.Command{
		Name: "completion", Usage: "print a shell completion script: source <(burrow completion bash)", ArgsUsage: "bash|zsh|fish",
		Action: func(c *cli.Context) error {
			words := completionWords(c.App.Commands)
			switch c.Args().First() {
			case "bash":
				writeBash(os.Stdout, words)
			case "zsh":
				fmt.Fprintln(os.Stdout, "#compdef burrow\nautoload -U +X bashcompinit && bashcompinit")
				writeBash(os.Stdout, words)
			case "fish":
				writeFish(os.Stdout, words)
			default:
				return fmt.Errorf("%w: completion needs bash, zsh or fish", errdefs.ErrInvalidArgument)
			}
			return nil
		},
	}
}

// completionWords maps each command path ("", "run", "container ls") to
// the words that may follow it: its subcommands and its flags.
func completionWords(cmds []*cli.Command) map[string][]string {
	out := map[string][]string{}
	var walk func(prefix string, cmds []*cli.Command)
	walk = func(prefix string, cmds []*cli.Command) {
		for _, c := range cmds {
			if c.Hidden {
				continue
			}
			out[prefix] = append(out[prefix], c.Name)
			path := strings.TrimSpace(prefix + " " + c.Name)
			for _, f := range c.Flags {
				for _, n := range f.Names() {
					if len(n) == 1 {
						out[path] = append(out[path], "-"+n)
					} else {
						out[path] = append(out[path], "--"+n)
					}
				}
			}
			walk(path, c.Subcommands)
		}
	}
	walk("", cmds)
	return out
}

func sortedKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func writeBash(w io.Writer, words map[string][]string) {
	fmt.Fprint(w, `_burrow() {
	local cur=${COMP_WORDS[COMP_CWORD]} path="" i w
	for ((i = 1; i < COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		[[ $w == -* ]] && continue
		case " $(_burrow_words "$path") " in *" $w "*) path="${path:+$path }$w" ;; esac
	done
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_burrow_words "$path")" -- "$cur"))
		return
	fi
	local names
	case $path in
	"") names="" ;;
	*image*|rmi|history|save|push|tag|untag) names=$(burrow images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null) ;;
	*) names=$(burrow ps -a --format '{{.Names}}' 2>/dev/null) ;;
	esac
	COMPREPLY=($(compgen -W "$(_burrow_words "$path" | tr ' ' '\n' | grep -v '^-') $names" -- "$cur"))
}
_burrow_words() {
	case $1 in
`)
	for _, k := range sortedKeys(words) {
		fmt.Fprintf(w, "\t%q) echo %q ;;\n", k, strings.Join(words[k], " "))
	}
	fmt.Fprint(w, "\tesac\n}\ncomplete -F _burrow burrow\n")
}

func writeFish(w io.Writer, words map[string][]string) {
	fmt.Fprintln(w, "complete -c burrow -f")
	for _, k := range sortedKeys(words) {
		cond := "__fish_use_subcommand"
		if k != "" {
			cond = "__fish_seen_subcommand_from " + k[strings.LastIndexByte(k, ' ')+1:]
		}
		for _, word := range words[k] {
			switch {
			case strings.HasPrefix(word, "--"):
				fmt.Fprintf(w, "complete -c burrow -n '%s' -l %s\n", cond, word[2:])
			case strings.HasPrefix(word, "-"):
				fmt.Fprintf(w, "complete -c burrow -n '%s' -s %s\n", cond, word[1:])
			default:
				fmt.Fprintf(w, "complete -c burrow -n '%s' -a %s\n", cond, word)
			}
		}
	}
	fmt.Fprintln(w, "complete -c burrow -n 'not __fish_use_subcommand' -a '(burrow ps -a --format \"{{.Names}}\" 2>/dev/null)'")
}
