package dockerapi

import (
	"slices"
	"testing"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
)

// TestCreateOptionsVolumes: Mounts of type volume become --mount values
// (quoted where a field holds a comma), Config.Volumes anonymous volumes
// except the paths bound otherwise, VolumesFrom --volumes-from.
func TestCreateOptionsVolumes(t *testing.T) {
	req := container.CreateRequest{
		Config: &container.Config{Image: "i", Volumes: map[string]struct{}{"/data": {}, "/cache/": {}, "/m": {}, "/t": {}}},
		HostConfig: &container.HostConfig{
			Binds: []string{"named:/data:rw"}, VolumesFrom: []string{"other:ro"}, Tmpfs: map[string]string{"/t": ""},
			Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: "v", Target: "/m", ReadOnly: true,
				VolumeOptions: &mount.VolumeOptions{NoCopy: true, Labels: map[string]string{"k": "v"}}},
				{Type: mount.TypeVolume, Target: "/a,b"}},
		},
	}
	o, err := createOptions("", req)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"type=volume,dst=/m,src=v,readonly,volume-nocopy", `type=volume,"dst=/a,b"`}; !slices.Equal(o.Mounts, want) {
		t.Errorf("mounts: %q, want %q", o.Mounts, want)
	}
	if want := []string{"named:/data:rw", "/cache/"}; !slices.Equal(o.Volumes, want) {
		t.Errorf("volumes: %q, want %q", o.Volumes, want)
	}
	if !slices.Equal(o.VolumesFrom, []string{"other:ro"}) {
		t.Errorf("volumes-from: %q", o.VolumesFrom)
	}
	_, create, err := volumeMount(req.HostConfig.Mounts[0])
	if err != nil || create == nil || create.Name != "v" || create.Labels["k"] != "v" {
		t.Errorf("the volume to create: %+v, %v", create, err)
	}
}
