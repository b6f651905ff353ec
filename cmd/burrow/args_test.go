package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

func TestNormalizeArgs(t *testing.T) {
	cases := []struct{ in, want string }{
		{"import -q --change X a.tar busybox", "import --quiet --change X -- a.tar busybox"},
		{"inspect web --format {{.Id}}", "inspect --format {{.Id}} -- web"},
		{"stop -t0 web", "stop --time 0 -- web"},
		{"stop --timeout=3 web", "stop --time=3 -- web"},
		{"rm web -t 0 -f", "rm --time 0 --force -- web"},
		{"run -it -p8080:80 --rm img sh -c --rm", "run --interactive --tty --publish 8080:80 --rm -- img sh -c --rm"},
		{"run -itp8080:80 img", "run --interactive --tty --publish 8080:80 -- img"},
		{"run -e A=1 --env B=2 img", "run --env A=1 --env B=2 -- img"},
		{"exec h ls -l", "exec -- h ls -l"},
		{"exec -e=A=1 -eB=2 web env", "exec --env=A=1 --env B=2 -- web env"},
		{"images busybox -q", "images --quiet -- busybox"},
		{"rm -- -odd", "rm -- -odd"},
		{"cp - web:/tmp", "cp -- - web:/tmp"},
		{"--storage-driver vfs ps -a", "--storage-driver vfs ps --all"},
		{"container inspect web -f {{.Name}}", "container inspect --format {{.Name}} -- web"},
		{"unshare /bin/rm -rf x", "unshare /bin/rm -rf x"},
		{"top web -eo pid,comm", "top -- web -eo pid,comm"},
		{"ps --bogus x", "ps --bogus -- x"},
		{"ps -Zq", "ps -Zq"},
		{"nosuchverb -x y", "nosuchverb -x y"},
	}
	app := newApp()
	for _, c := range cases {
		got := normalizeArgs(app, append([]string{"burrow"}, strings.Fields(c.in)...))[1:]
		if want := strings.Fields(c.want); !slices.Equal(got, want) {
			t.Errorf("%s:\n got %q\nwant %q", c.in, got, want)
		}
	}
}

// TestNoFlagDefinedTwice: a name or alias used twice in one verb panics
// when the verb runs.
func TestNoFlagDefinedTwice(t *testing.T) {
	var walk func(path string, cmds []*cli.Command)
	walk = func(path string, cmds []*cli.Command) {
		for _, c := range cmds {
			seen := map[string]bool{"help": true}
			for _, f := range c.Flags {
				for _, n := range f.Names() {
					if seen[n] {
						t.Errorf("%s %s: flag %s defined twice", path, c.Name, n)
					}
					seen[n] = true
				}
			}
			walk(path+" "+c.Name, c.Subcommands)
		}
	}
	walk("burrow", newApp().Commands)
}

// TestIsSetMatchesUrfave: the one-pass isSet answers as urfave's IsSet does,
// for names, aliases, values from the environment and global flags.
func TestIsSetMatchesUrfave(t *testing.T) {
	t.Setenv("TEST_ISSET_ENV", "x")
	cases := [][]string{
		{"t", "cmd"},
		{"t", "cmd", "-t", "5"},
		{"t", "cmd", "--time", "5", "--quiet"},
		{"t", "--global", "cmd", "-q"},
		{"t", "cmd", "--list", "a", "--list", "b"},
	}
	names := []string{"time", "t", "quiet", "q", "list", "fromenv", "global", "unset"}
	for _, args := range cases {
		ran := false
		app := &cli.App{
			Flags: []cli.Flag{&cli.BoolFlag{Name: "global"}},
			Commands: []*cli.Command{{
				Name: "cmd",
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "time", Aliases: []string{"t"}},
					&cli.BoolFlag{Name: "quiet", Aliases: []string{"q"}},
					&cli.StringSliceFlag{Name: "list"},
					&cli.StringFlag{Name: "fromenv", EnvVars: []string{"TEST_ISSET_ENV"}},
					&cli.StringFlag{Name: "unset"},
				},
				Action: func(c *cli.Context) error {
					ran = true
					for _, n := range names {
						if got, want := isSet(c, n), c.IsSet(n); got != want {
							t.Errorf("%v: isSet(%q) = %v, urfave says %v", args, n, got, want)
						}
					}
					return nil
				},
			}},
		}
		if err := app.Run(args); err != nil || !ran {
			t.Fatalf("%v: ran %v, %v", args, ran, err)
		}
	}
}
