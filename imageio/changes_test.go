package imageio

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/burrow/burrow/errdefs"
	imgspecv1 "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestApplyChanges(t *testing.T) {
	ports := func(p ...string) map[string]struct{} {
		m := map[string]struct{}{}
		for _, x := range p {
			m[x] = struct{}{}
		}
		return m
	}
	cases := []struct {
		name    string
		start   Config
		changes []string
		want    Config
	}{
		{"nothing", Config{}, nil, Config{}},
		{"CMD JSON", Config{}, []string{`CMD ["/bin/sh", "-c", "echo hi"]`}, Config{Cmd: []string{"/bin/sh", "-c", "echo hi"}}},
		{"CMD shell form", Config{}, []string{`CMD echo "hi there"`}, Config{Cmd: []string{"/bin/sh", "-c", `echo "hi there"`}}},
		{"CMD bad JSON is shell form", Config{}, []string{`CMD [not json`}, Config{Cmd: []string{"/bin/sh", "-c", "[not json"}}},
		{"CMD replaces", Config{Cmd: []string{"old"}}, []string{`CMD ["new"]`}, Config{Cmd: []string{"new"}}},
		{"CMD=value form", Config{}, []string{"CMD=/bin/sh"}, Config{Cmd: []string{"/bin/sh", "-c", "/bin/sh"}}},
		{"CMD=JSON form", Config{}, []string{`CMD=["/bin/sh"]`}, Config{Cmd: []string{"/bin/sh"}}},
		{"lower case instruction", Config{}, []string{`cmd ["x"]`}, Config{Cmd: []string{"x"}}},
		{"surrounding blanks", Config{}, []string{`  CMD   ["x"]  `}, Config{Cmd: []string{"x"}}},
		{"ENTRYPOINT JSON", Config{}, []string{`ENTRYPOINT ["/ep", "-v"]`}, Config{Entrypoint: []string{"/ep", "-v"}}},
		{"ENTRYPOINT shell form", Config{}, []string{`ENTRYPOINT exec /ep`}, Config{Entrypoint: []string{"/bin/sh", "-c", "exec /ep"}}},
		{"ENV key=value", Config{}, []string{"ENV A=1"}, Config{Env: []string{"A=1"}}},
		{"ENV several pairs", Config{Env: []string{"PATH=/bin"}}, []string{`ENV A=1 B="two"`}, Config{Env: []string{"PATH=/bin", "A=1", "B=two"}}},
		{"ENV empty value", Config{}, []string{"ENV A="}, Config{Env: []string{"A="}}},
		{"ENV old form", Config{}, []string{"ENV GREETING hello  world"}, Config{Env: []string{"GREETING=hello  world"}}},
		{"ENV=form", Config{}, []string{"ENV=A=1"}, Config{Env: []string{"A=1"}}},
		{"LABEL", Config{}, []string{`LABEL a=1 b="x"`, "LABEL c=3"}, Config{Labels: map[string]string{"a": "1", "b": "x", "c": "3"}}},
		{"LABEL old form", Config{}, []string{"LABEL maintainer me <me@x>"}, Config{Labels: map[string]string{"maintainer": "me <me@x>"}}},
		{"LABEL replaces", Config{Labels: map[string]string{"a": "old", "k": "v"}}, []string{"LABEL a=new"}, Config{Labels: map[string]string{"a": "new", "k": "v"}}},
		{"EXPOSE default tcp", Config{}, []string{"EXPOSE 80 443/udp 8080/tcp"}, Config{ExposedPorts: ports("80/tcp", "443/udp", "8080/tcp")}},
		{"EXPOSE adds", Config{ExposedPorts: ports("22/tcp")}, []string{"EXPOSE 80"}, Config{ExposedPorts: ports("22/tcp", "80/tcp")}},
		{"WORKDIR", Config{}, []string{"WORKDIR /app"}, Config{WorkingDir: "/app"}},
		{"USER name", Config{}, []string{"USER nobody"}, Config{User: "nobody"}},
		{"USER uid:gid", Config{}, []string{"USER 1000:1000"}, Config{User: "1000:1000"}},
		{"STOPSIGNAL", Config{}, []string{"STOPSIGNAL SIGINT"}, Config{StopSignal: "SIGINT"}},
		{"several, the later wins", Config{}, []string{"WORKDIR /a", "USER 1", "WORKDIR /b", `CMD ["c"]`},
			Config{WorkingDir: "/b", User: "1", Cmd: []string{"c"}}},
	}
	for _, c := range cases {
		cfg := c.start
		if err := ApplyChanges(&cfg, c.changes); err != nil {
			t.Errorf("%s: ApplyChanges(%q): %v", c.name, c.changes, err)
			continue
		}
		if !reflect.DeepEqual(cfg, c.want) {
			t.Errorf("%s: ApplyChanges(%q) = %+v, want %+v", c.name, c.changes, cfg, c.want)
		}
	}
}

func TestApplyChangesErrors(t *testing.T) {
	cases := []struct {
		change string
		want   string // in the message
	}{
		{"BOGUS x", "unsupported instruction BOGUS"},
		{"RUN echo hi", "unsupported instruction RUN"},
		{"FROM busybox", "unsupported instruction FROM"},
		{"CMD", "no value"},
		{"CMD   ", "no value"},
		{"ENV", "no value"},
		{"CMD=", "no value"},
		{"", "no value"},
		{"ENV A", "KEY=VALUE"},
		{"ENV =1", "KEY=VALUE"},
		{"ENV A=1 B", "KEY=VALUE"},
		{"LABEL =x", "KEY=VALUE"},
	}
	for _, c := range cases {
		var cfg imgspecv1.ImageConfig
		err := ApplyChanges(&cfg, []string{`WORKDIR /ok`, c.change})
		if err == nil {
			t.Errorf("ApplyChanges(%q) succeeded with %+v, want an error", c.change, cfg)
			continue
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("ApplyChanges(%q): error %q does not wrap ErrInvalidArgument", c.change, err)
		}
		if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), `"`+c.change+`"`) {
			t.Errorf("ApplyChanges(%q): error %q, want it to quote the change and say %q", c.change, err, c.want)
		}
	}
}
