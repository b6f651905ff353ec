package engine

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/volume"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// TestParseMounts: -v, --mount and --tmpfs together, the rules between
// them, and --read-only-tmpfs giving way to the user's own mounts.
func TestParseMounts(t *testing.T) {
	dir := t.TempDir()
	got, err := parseMounts(ContainerOptions{
		Volumes:  []string{"v:/data", dir + ":/src:ro"},
		Mounts:   []string{"type=tmpfs,dst=/tmp,tmpfs-size=1m"},
		Tmpfs:    []string{"/scratch:size=2m"},
		ReadOnly: true, ReadOnlyTmpfs: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var dests []string
	for _, m := range got {
		dests = append(dests, m.Destination)
	}
	if want := "/data /src /tmp /scratch /var/tmp /run"; strings.Join(dests, " ") != want {
		t.Errorf("destinations %q, want %q", strings.Join(dests, " "), want)
	}
	if got[2].Options[0] != "size=1m" {
		t.Errorf("the user's /tmp was replaced: %+v", got[2])
	}
	bad := map[string]ContainerOptions{
		"two mounts on one path": {Volumes: []string{"a:/x"}, Mounts: []string{"type=volume,src=b,dst=/x"}},
		"missing bind source":    {Volumes: []string{dir + "/missing:/x"}},
		"bad volumes-from mode":  {VolumesFrom: []string{"ctr:rx"}},
		"empty volumes-from":     {VolumesFrom: []string{":ro"}},
	}
	for name, o := range bad {
		if _, err := parseMounts(o); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: %v, want ErrInvalidArgument", name, err)
		}
	}
}

// TestMountSpec: what each kind of mount becomes in the runtime spec.
func TestMountSpec(t *testing.T) {
	named := volume.Volume{Name: "v", Mountpoint: "/vols/v/_data", Options: map[string]string{}}
	tmpfsVol := volume.Volume{Name: "t", Mountpoint: "/vols/t/_data", Options: map[string]string{"type": "tmpfs", "o": "size=2m"}}
	bindVol := volume.Volume{Name: "b", Mountpoint: "/vols/b/_data", Options: map[string]string{"type": "none", "o": "bind", "device": "/srv"}}
	p := &mountPlan{
		mounts: []volume.Mount{
			{Kind: volume.KindVolume, Source: "v", Destination: "/d", ReadOnly: true, Options: []string{"noexec", "suid"}},
			{Kind: volume.KindVolume, Source: "t", Destination: "/t"},
			{Kind: volume.KindVolume, Source: "b", Destination: "/b"},
			{Kind: volume.KindBind, Source: "/h", Destination: "/h", NonRecursive: true, Options: []string{"rslave"}},
			{Kind: volume.KindTmpfs, Destination: "/run", Options: []string{"size=1m"}},
		},
		volumes: []volume.Volume{named, tmpfsVol, bindVol, {}, {}},
	}
	want := []specs.Mount{
		{Destination: "/d", Type: "bind", Source: "/vols/v/_data", Options: []string{"rbind", "noexec", "ro"}},
		// The volume's one tmpfs, which lifecycle mounts on its directory.
		{Destination: "/t", Type: "bind", Source: "/vols/t/_data", Options: []string{"rbind"}},
		{Destination: "/b", Type: "bind", Source: "/srv", Options: []string{"rbind"}},
		{Destination: "/h", Type: "bind", Source: "/h", Options: []string{"bind", "rslave"}},
		{Destination: "/run", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", "size=1m"}},
	}
	for i := range want {
		if got := p.spec(i); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("mount %d: %+v, want %+v", i, got, want[i])
		}
	}
}
