package volume

import (
	"errors"
	"path"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

func TestParseVolume(t *testing.T) {
	cases := []struct {
		in   string
		want Mount
	}{
		{"/srv/data:/data", Mount{Kind: KindBind, Source: "/srv/data", Destination: "/data"}},
		{"/srv/data:/data:ro", Mount{Kind: KindBind, Source: "/srv/data", Destination: "/data", ReadOnly: true}},
		{"/srv/data:/data:ro,rw", Mount{Kind: KindBind, Source: "/srv/data", Destination: "/data"}}, // the last mode wins
		{"/srv/data:/data:Z,ro", Mount{Kind: KindBind, Source: "/srv/data", Destination: "/data", ReadOnly: true, Relabel: "Z"}},
		{"/srv/data:/data:rslave,nosuid", Mount{Kind: KindBind, Source: "/srv/data", Destination: "/data", Options: []string{"rslave", "nosuid"}}},
		{"/srv//data/:/data/sub/../x/", Mount{Kind: KindBind, Source: "/srv/data", Destination: "/data/x"}},
		{"/src:/src:U,O", Mount{Kind: KindBind, Source: "/src", Destination: "/src", Chown: true, Overlay: true}},
		{"pgdata:/var/lib/pg", Mount{Kind: KindVolume, Source: "pgdata", Destination: "/var/lib/pg"}},
		{"pg.data-1_x:/d:nocopy,noexec,nodev", Mount{Kind: KindVolume, Source: "pg.data-1_x", Destination: "/d", NoCopy: true, Options: []string{"noexec", "nodev"}}},
		{"/cache", Mount{Kind: KindVolume, Destination: "/cache"}},
	}
	for _, c := range cases {
		got, err := ParseVolume(c.in)
		if err != nil {
			t.Errorf("ParseVolume(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseVolume(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseVolumeErrors(t *testing.T) {
	cases := []struct{ in, why string }{
		{"", "destination must be an absolute"},
		{"/a:/b:ro:extra", "[SOURCE:]DESTINATION"},
		{"./data:/data", "neither an absolute host path nor a volume name"},
		{"a/b:/data", "neither an absolute host path nor a volume name"},
		{"..:/data", "neither"},
		{"a b:/data", "neither"},
		{strings.Repeat("v", 256) + ":/data", "neither"},
		{":/data", "neither"},
		{"rel", "destination must be an absolute"},
		{"/srv/data:data", "destination must be an absolute"},
		{"/srv/data:/data:rx", `unknown option "rx"`},
		{"/srv/data:/data:", "unknown option"},
		{"vol:/data:O", "O needs a host directory"},
		{"/a:/data:nocopy", "nocopy applies to volumes"},
		{"/a:/data:O,ro", "O and ro conflict"},
		{"/a:/data:idmap", "idmapped mounts need root"},
	}
	for _, c := range cases {
		m, err := ParseVolume(c.in)
		if err == nil {
			t.Errorf("ParseVolume(%q) = %+v, want an error", c.in, m)
			continue
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseVolume(%q): error %q, want ErrInvalidArgument saying %q", c.in, err, c.why)
		}
	}
}

func TestParseMount(t *testing.T) {
	cases := []struct {
		in   string
		want Mount
	}{
		{"type=volume,src=pg,dst=/data,ro", Mount{Kind: KindVolume, Source: "pg", Destination: "/data", ReadOnly: true}},
		{"src=pg,target=/data,volume-nocopy", Mount{Kind: KindVolume, Source: "pg", Destination: "/data", NoCopy: true}},
		{"type=volume,destination=/data", Mount{Kind: KindVolume, Destination: "/data"}},
		{"type=bind,source=/h,dst=/src,bind-propagation=rslave,readonly=true", Mount{Kind: KindBind, Source: "/h", Destination: "/src", ReadOnly: true, Options: []string{"rslave"}}},
		{"type=bind,src=/h,dst=/src,bind-nonrecursive,relabel=private", Mount{Kind: KindBind, Source: "/h", Destination: "/src", NonRecursive: true, Relabel: "Z"}},
		{"type=tmpfs,dst=/run,tmpfs-size=64m,tmpfs-mode=1777", Mount{Kind: KindTmpfs, Destination: "/run", Options: []string{"size=64m", "mode=1777"}}},
		{`"type=bind","src=/a,b",dst=/x`, Mount{Kind: KindBind, Source: "/a,b", Destination: "/x"}},
	}
	for _, c := range cases {
		got, err := ParseMount(c.in)
		if err != nil {
			t.Errorf("ParseMount(%q): %v", c.in, err)
			continue
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseMount(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseMountErrors(t *testing.T) {
	cases := []struct{ in, why string }{
		{"type=tmpfs,src=x,dst=/x", "takes no source"},
		{"type=volume,dst=/x,foo=1", `unknown option "foo"`},
		{"type=nfs,dst=/x", `type "nfs"`},
		{"type=bind,src=rel,dst=/x", "ABSOLUTE-HOST-PATH"},
		{"type=bind,dst=/x", "ABSOLUTE-HOST-PATH"},
		{"type=volume,src=a/b,dst=/x", "volume name"},
		{"type=volume,src=v", "dst must be an absolute"},
		{"type=volume,src=v,dst=/x,tmpfs-size=1m", "need type=tmpfs"},
		{"type=volume,src=v,dst=/x,bind-propagation=rslave", "needs type=bind"},
		{"type=bind,src=/a,dst=/x,bind-propagation=sideways", "bind-propagation"},
		{"type=volume,src=v,dst=/x,ro=maybe", "want true or false"},
		{"type=tmpfs,dst=/x,tmpfs-mode=999", "tmpfs-mode"},
		{"type=volume,src=v,dst=/x,volume-driver=nfs", "only local"},
	}
	for _, c := range cases {
		m, err := ParseMount(c.in)
		if err == nil {
			t.Errorf("ParseMount(%q) = %+v, want an error", c.in, m)
			continue
		}
		if !errors.Is(err, errdefs.ErrInvalidArgument) || !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseMount(%q): error %q, want ErrInvalidArgument saying %q", c.in, err, c.why)
		}
	}
}

// checkParsed holds what every accepted mount must satisfy.
func checkParsed(t *testing.T, fn string, v string, m Mount) {
	if !path.IsAbs(m.Destination) || path.Clean(m.Destination) != m.Destination {
		t.Fatalf("%s(%q): destination %q is not a clean absolute path", fn, v, m.Destination)
	}
	switch m.Kind {
	case KindBind:
		if !filepath.IsAbs(m.Source) {
			t.Fatalf("%s(%q): bind source %q is not absolute", fn, v, m.Source)
		}
	case KindVolume:
		if m.Source != "" && CheckName(m.Source) != nil {
			t.Fatalf("%s(%q): volume name %q is not valid", fn, v, m.Source)
		}
	case KindTmpfs:
		if m.Source != "" {
			t.Fatalf("%s(%q): tmpfs with a source", fn, v)
		}
	default:
		t.Fatalf("%s(%q): kind %q", fn, v, m.Kind)
	}
}

func FuzzParseVolume(f *testing.F) {
	for _, s := range []string{"/a:/b", "/a:/b:ro", "v:/b:z,rslave,nocopy", "a:/b", "/a:b", "/a:/b:c:d", "", ":", "::", "/a:/../..", "/a:/b:ro,,rw", "/x", "..:/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := ParseVolume(v)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("ParseVolume(%q): error %v does not wrap ErrInvalidArgument", v, err)
			}
			return
		}
		checkParsed(t, "ParseVolume", v, m)
	})
}

func FuzzParseMount(f *testing.F) {
	for _, s := range []string{"type=volume,src=v,dst=/d", "type=bind,src=/a,dst=/b,ro", "type=tmpfs,dst=/t,tmpfs-size=1m", `"a,b"`, "dst=/x,src=..", "type=tmpfs,src=,dst=/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		m, err := ParseMount(v)
		if err != nil {
			if !errors.Is(err, errdefs.ErrInvalidArgument) {
				t.Fatalf("ParseMount(%q): error %v does not wrap ErrInvalidArgument", v, err)
			}
			return
		}
		checkParsed(t, "ParseMount", v, m)
	})
}
