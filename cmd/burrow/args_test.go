package main

import (
	"slices"
	"strings"
	"testing"
)

func TestNormalizeArgs(t *testing.T) {
	cases := []struct{ in, want string }{
		{"import -q --change X a.tar busybox", "import -q --change X -- a.tar busybox"},
		{"inspect web --format {{.Id}}", "inspect --format {{.Id}} -- web"},
		{"stop -t0 web", "stop -t 0 -- web"},
		{"rm web -t 0 -f", "rm -t 0 -f -- web"},
		{"run -it -p8080:80 --rm img sh -c --rm", "run -i -t -p 8080:80 --rm -- img sh -c --rm"},
		{"run -itp8080:80 img", "run -i -t -p 8080:80 -- img"},
		{"exec h ls -l", "exec -- h ls -l"},
		{"exec -e=A=1 -eB=2 web env", "exec -e=A=1 -e B=2 -- web env"},
		{"images busybox -q", "images -q -- busybox"},
		{"rm -- -odd", "rm -- -odd"},
		{"cp - web:/tmp", "cp -- - web:/tmp"},
		{"--storage-driver vfs ps -a", "--storage-driver vfs ps -a"},
		{"container inspect web -f {{.Name}}", "container inspect -f {{.Name}} -- web"},
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
