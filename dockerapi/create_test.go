package dockerapi

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"slices"
	"testing"

	"github.com/burrow/burrow/errdefs"
	"github.com/moby/moby/api/types/blkiodev"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/registry"
)

func TestCreateOptionsControls(t *testing.T) {
	stop := 3
	req := container.CreateRequest{
		Config: &container.Config{Image: "busybox", StopSignal: "USR1", StopTimeout: &stop, OpenStdin: true, StdinOnce: true},
		HostConfig: &container.HostConfig{
			Sysctls: map[string]string{"kernel.msgmax": "1"}, GroupAdd: []string{"12"}, ShmSize: 1 << 20, OomScoreAdj: 5,
			PidMode: "private", UTSMode: "host", IpcMode: "shareable", Links: []string{"/db:/web/alias", "cache"},
			Mounts: []mount.Mount{{Type: mount.TypeBind, Source: "/src", Target: "/dst", ReadOnly: true},
				{Type: mount.TypeTmpfs, Target: "/t", TmpfsOptions: &mount.TmpfsOptions{SizeBytes: 4096, Mode: 0o1777}}},
			Resources: container.Resources{
				Devices: []container.DeviceMapping{{PathOnHost: "/dev/zero", PathInContainer: "/dev/z", CgroupPermissions: "rw"}},
				Ulimits: []*container.Ulimit{{Name: "nofile", Soft: 10, Hard: 20}}, CPUQuota: 50000, CPUPeriod: 100000,
			},
		},
	}
	o, err := createOptions("/x", req)
	if err != nil {
		t.Fatal(err)
	}
	c := o.Controls
	if c.StopSignal != "USR1" || *c.StopTimeout != 3 || c.PID != "" || c.UTS != "host" || c.IPC != "shareable" ||
		c.ShmSize != "1048576" || *c.OOMScoreAdj != 5 || !slices.Equal(c.Sysctls, []string{"kernel.msgmax=1"}) ||
		!slices.Equal(c.Devices, []string{"/dev/zero:/dev/z:rw"}) || !slices.Equal(c.Ulimits, []string{"nofile=10:20"}) {
		t.Errorf("controls: %+v", c)
	}
	if !slices.Equal(o.Links, []string{"db:alias", "cache"}) || !slices.Equal(o.Volumes, []string{"/src:/dst:ro"}) ||
		!slices.Equal(o.Tmpfs, []string{"/t:size=4096,mode=1777"}) || o.Limits.CPUs != 0 || !o.OpenStdin || !o.StdinOnce || o.Name != "x" {
		t.Errorf("options: %+v", o.ContainerOptions)
	}
}

func TestCreateOptionsRefuses(t *testing.T) {
	for name, h := range map[string]container.HostConfig{
		"volume subpath": {Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: "v", Target: "/v", VolumeOptions: &mount.VolumeOptions{Subpath: "s"}}}},
		"anonymous volume with labels": {Mounts: []mount.Mount{{Type: mount.TypeVolume, Target: "/v",
			VolumeOptions: &mount.VolumeOptions{Labels: map[string]string{"a": "b"}}}}},
		"volume driver": {Mounts: []mount.Mount{{Type: mount.TypeVolume, Source: "v", Target: "/v",
			VolumeOptions: &mount.VolumeOptions{DriverConfig: &mount.Driver{Name: "nfs"}}}}},
		"image mount": {Mounts: []mount.Mount{{Type: mount.TypeImage, Source: "busybox", Target: "/v"}}},
		"userns":      {UsernsMode: "private"},
		"cpu period":  {Resources: container.Resources{CPUPeriod: -1}},
	} {
		_, err := createOptions("", container.CreateRequest{Config: &container.Config{Image: "i"}, HostConfig: &h})
		if !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestCreateOptionsLimits: every limit reaches the engine as its run
// flag would give it (the period and quota as they are, not as --cpus),
// and inspect's Resources give them back.
func TestCreateOptionsLimits(t *testing.T) {
	pids := int64(20)
	r := container.Resources{
		Memory: 128 << 20, MemorySwap: 256 << 20, MemoryReservation: 64 << 20, CPUPeriod: 50000, CPUQuota: 25000,
		CPUShares: 512, CpusetCpus: "0", CpusetMems: "0", PidsLimit: &pids, BlkioWeight: 300, CgroupParent: "sub",
		BlkioWeightDevice:    []*blkiodev.WeightDevice{{Path: "/dev/vda", Weight: 200}, nil},
		BlkioDeviceReadBps:   []*blkiodev.ThrottleDevice{{Path: "/dev/vda", Rate: 1 << 20}},
		BlkioDeviceWriteBps:  []*blkiodev.ThrottleDevice{{Path: "/dev/vda", Rate: 2 << 20}},
		BlkioDeviceReadIOps:  []*blkiodev.ThrottleDevice{{Path: "/dev/vda", Rate: 1000}},
		BlkioDeviceWriteIOps: []*blkiodev.ThrottleDevice{{Path: "/dev/vdb", Rate: 500}},
	}
	l, err := limits(r)
	if err != nil {
		t.Fatal(err)
	}
	if l.CPUs != 0 || l.CPUPeriod != 50000 || l.CPUQuota != 25000 || l.CpusetMems != "0" || l.MemoryReservation != 64<<20 ||
		l.Parent != "sub" || len(l.BlkioWeightDevice) != 1 || l.BlkioWeightDevice[0].Rate != 200 ||
		len(l.DeviceReadIOPS) != 1 || l.DeviceReadIOPS[0].Rate != 1000 || len(l.DeviceWriteIOPS) != 1 || l.DeviceWriteIOPS[0].Path != "/dev/vdb" {
		t.Errorf("limits: %+v", l)
	}
	r.BlkioWeightDevice = r.BlkioWeightDevice[:1]
	back, _ := json.Marshal(resources(l))
	want, _ := json.Marshal(r)
	if string(back) != string(want) {
		t.Errorf("inspect's Resources:\n%s\nwant:\n%s", back, want)
	}
}

func TestTmpfsMode(t *testing.T) {
	if got := tmpfsMode(os.ModeSticky | 0o777); got != 0o1777 {
		t.Errorf("os.ModeSticky|0777: %o", got)
	}
	if got := tmpfsMode(0o1777); got != 0o1777 {
		t.Errorf("01777: %o", got)
	}
}

func TestPublishOptions(t *testing.T) {
	p80, _ := network.ParsePort("80/tcp")
	p53, _ := network.ParsePort("53/udp")
	p90, _ := network.ParsePort("90/tcp")
	bindings := network.PortMap{p80: {{HostPort: ""}}, p53: {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: "5353"}}}
	got := publishOptions(bindings, network.PortSet{p80: {}, p90: {}}, true)
	slices.Sort(got)
	want := []string{"0:80/tcp", "0:90/tcp", "127.0.0.1:5353:53/udp"}
	if !slices.Equal(got, want) {
		t.Errorf("%v, want %v", got, want)
	}
}

func TestRegistryOptions(t *testing.T) {
	for ref, loop := range map[string]bool{"127.0.0.1:5000/a/b": true, "localhost/x": true, "[::1]:5000/x": true,
		"docker.io/library/busybox": false, "busybox": false, "localhost": false, "10.0.0.1:5000/x": false} {
		if got := loopbackRegistry(ref); got != loop {
			t.Errorf("%s: loopback %v", ref, got)
		}
	}
	data, _ := json.Marshal(registry.AuthConfig{Auth: base64.StdEncoding.EncodeToString([]byte("al:pw:x"))})
	a, err := decodeAuth(base64.URLEncoding.EncodeToString(data))
	if err != nil {
		t.Fatal(err)
	}
	if o := registryOptions("r.example/x", a); o.Username != "al" || o.Password != "pw:x" || o.TLSVerify != nil {
		t.Errorf("%+v", o)
	}
	if _, err := decodeAuth("%%%"); !errors.Is(err, errdefs.ErrInvalidArgument) {
		t.Errorf("bad header: %v", err)
	}
}
