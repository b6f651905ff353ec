package ocispec

import (
	"errors"
	"reflect"
	"testing"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestParseTmpfs(t *testing.T) {
	cases := []struct {
		in   string
		want specs.Mount
	}{
		{"/run", specs.Mount{Destination: "/run", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev"}}},
		{"/tmp/", specs.Mount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev"}}},
		{"/cache:size=64m,mode=1777,noexec", specs.Mount{Destination: "/cache", Type: "tmpfs", Source: "tmpfs",
			Options: []string{"nosuid", "nodev", "size=64m", "mode=1777", "noexec"}}},
		{"/x:", specs.Mount{Destination: "/x", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev"}}},
	}
	for _, c := range cases {
		got, err := ParseTmpfs(c.in)
		if err != nil {
			t.Errorf("ParseTmpfs(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseTmpfs(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	for _, in := range []string{"", "run", "run:size=1m", ":size=1m"} {
		m, err := ParseTmpfs(in)
		if err == nil {
			t.Errorf("ParseTmpfs(%q) = %+v, want an error", in, m)
		} else if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ParseTmpfs(%q): error %q does not wrap ErrInvalidArgument", in, err)
		}
	}
}

// lookupIn is a caller environment for ParseEnv.
func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	}
}

func TestParseEnv(t *testing.T) {
	host := lookupIn(map[string]string{"HOME": "/home/me", "EMPTY": ""})
	cases := []struct {
		in   []string
		want []string
	}{
		{nil, nil},
		{[]string{"A=1"}, []string{"A=1"}},
		{[]string{"A="}, []string{"A="}},
		{[]string{"A=x=y"}, []string{"A=x=y"}},           // only the first '=' splits
		{[]string{"A= spaced "}, []string{"A= spaced "}}, // the value is kept as given
		{[]string{"HOME"}, []string{"HOME=/home/me"}},    // from the caller
		{[]string{"EMPTY"}, []string{"EMPTY="}},          // set but empty is kept
		{[]string{"UNSET"}, nil},                         // dropped, as docker does
		{[]string{"A=1", "UNSET", "HOME", "A=2"}, []string{"A=1", "HOME=/home/me", "A=2"}},
	}
	for _, c := range cases {
		got, err := ParseEnv(c.in, host)
		if err != nil {
			t.Errorf("ParseEnv(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseEnv(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	for _, in := range []string{"=x", "", "A B=1", "A\tB", " A=1"} {
		got, err := ParseEnv([]string{"OK=1", in}, host)
		if err == nil {
			t.Errorf("ParseEnv(%q) = %q, want an error", in, got)
			continue
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ParseEnv(%q): error %q does not wrap ErrInvalidArgument", in, err)
		}
		if got != nil {
			t.Errorf("ParseEnv(%q): partial result %q with the error", in, got)
		}
	}
}

func TestParseEnvFile(t *testing.T) {
	host := lookupIn(map[string]string{"FROMHOST": "h"})
	cases := []struct {
		name, content string
		want          []string
	}{
		{"empty", "", nil},
		{"plain", "A=1\nB=2\n", []string{"A=1", "B=2"}},
		{"no final newline", "A=1\nB=2", []string{"A=1", "B=2"}},
		{"comments and blanks", "# a comment\n\nA=1\n   \n  # indented comment\n\t\nB=2\n", []string{"A=1", "B=2"}},
		{"CRLF", "A=1\r\n# c\r\n\r\nB=two words\r\n", []string{"A=1", "B=two words"}},
		{"leading blanks", "  A=1\n\tB=2\n", []string{"A=1", "B=2"}},
		{"hash inside a value", "A=x#y\n", []string{"A=x#y"}},
		{"bare keys", "FROMHOST\nNOTSET\n", []string{"FROMHOST=h"}},
	}
	for _, c := range cases {
		got, err := ParseEnvFile(c.content, host)
		if err != nil {
			t.Errorf("%s: ParseEnvFile(%q): %v", c.name, c.content, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: ParseEnvFile(%q) = %q, want %q", c.name, c.content, got, c.want)
		}
	}
	for _, content := range []string{"A=1\n=2\n", "A B=1\n"} {
		if got, err := ParseEnvFile(content, host); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ParseEnvFile(%q) = %q, %v; want an ErrInvalidArgument error", content, got, err)
		}
	}
}

func TestMergeEnv(t *testing.T) {
	cases := []struct {
		name  string
		lists [][]string
		want  []string
	}{
		{"nothing", nil, nil},
		{"one list", [][]string{{"A=1", "B=2"}}, []string{"A=1", "B=2"}},
		{"later wins in place", [][]string{{"A=1", "B=2", "C=3"}, {"B=20"}, {"A=100"}}, []string{"A=100", "B=20", "C=3"}},
		{"new keys append", [][]string{{"A=1"}, {"B=2"}, {"C=3", "A=4"}}, []string{"A=4", "B=2", "C=3"}},
		{"duplicates in one list", [][]string{{"A=1", "A=2"}}, []string{"A=2"}},
		{"empty value overrides", [][]string{{"A=1"}, {"A="}}, []string{"A="}},
		{"a key is not a prefix", [][]string{{"PATH=/bin"}, {"PATHX=1"}}, []string{"PATH=/bin", "PATHX=1"}},
	}
	for _, c := range cases {
		if got := MergeEnv(c.lists...); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: MergeEnv(%q) = %q, want %q", c.name, c.lists, got, c.want)
		}
	}
}

func TestMergeEnvLeavesInputs(t *testing.T) {
	base := []string{"A=1", "B=2"}
	_ = MergeEnv(base, []string{"A=3"})
	if !reflect.DeepEqual(base, []string{"A=1", "B=2"}) {
		t.Fatalf("MergeEnv changed its input: %q", base)
	}
}
