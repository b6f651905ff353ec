package cgroupv2

import (
	"maps"
	"testing"
)

func TestFinerLimitFiles(t *testing.T) {
	for name, tc := range map[string]struct {
		l    Limits
		want map[string]string
	}{
		"cpus":             {Limits{CPUs: 1.5}, map[string]string{"cpu.max": "150000 100000"}},
		"quota and period": {Limits{CPUQuota: 25000, CPUPeriod: 50000}, map[string]string{"cpu.max": "25000 50000"}},
		"quota alone":      {Limits{CPUQuota: 20000}, map[string]string{"cpu.max": "20000 100000"}},
		"period alone":     {Limits{CPUPeriod: 20000}, map[string]string{"cpu.max": "max 20000"}},
		"no quota":         {Limits{CPUQuota: -1, CPUPeriod: 20000}, map[string]string{"cpu.max": "max 20000"}},
		"reservation":      {Limits{MemoryReservation: 1 << 20}, map[string]string{"memory.low": "1048576"}},
		"mems":             {Limits{CpusetMems: "0-1"}, map[string]string{"cpuset.mems": "0-1"}},
		"conf only":        {Limits{Conf: []ConfSetting{{"memory.high", "1"}}}, map[string]string{}},
	} {
		got, err := tc.l.files()
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("%s: files() = %v, %v; want %v", name, got, err, tc.want)
		}
	}
}

func TestLimitControllers(t *testing.T) {
	l := Limits{CPUQuota: 1000, CpusetMems: "0", MemoryReservation: 1, DeviceReadIOPS: []DeviceRate{{"/dev/x", 1}},
		Conf: []ConfSetting{{"memory.high", "1"}, {"cgroup.max.depth", "2"}, {"hugetlb.2MB.max", "0"}}}
	got := l.Controllers()
	want := []string{"memory", "cpu", "cpuset", "io", "hugetlb"}
	if len(got) != len(want) {
		t.Fatalf("Controllers() = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Controllers() = %v, want %v", got, want)
		}
	}
	if (Limits{Parent: "x", Disabled: true}).Empty() != true || (Limits{Conf: l.Conf}).Empty() {
		t.Errorf("Empty: placement is no limit, a --cgroup-conf is")
	}
}

func TestCleanParent(t *testing.T) {
	for _, tc := range []struct{ in, base, want string }{
		{"jobs/a", "/user/u", "jobs/a"},
		{"/user/u/jobs", "/user/u", "jobs"},
		{"/other", "/user/u", "!"},
		{"/user/u", "/user/u", "!"},
		{"/user/uu/x", "/user/u", "!"},
		{"../x", "/user/u", "!"},
		{"a/../../x", "/user/u", "!"},
		{"a/burrow-procs", "/user/u", "!"},
		{"", "/user/u", ""},
	} {
		got, err := CleanParent(tc.in, tc.base)
		if tc.want == "!" && err == nil || tc.want != "!" && (err != nil || got != tc.want) {
			t.Errorf("CleanParent(%q, %q) = %q, %v; want %q", tc.in, tc.base, got, err, tc.want)
		}
	}
}

func TestParseConf(t *testing.T) {
	for in, ok := range map[string]bool{
		"memory.high=1g": true, "cgroup.max.depth=2": true, "memory.high=": true,
		"cgroup.procs=1": false, "../x.y=1": false, "a/b.c=1": false, "nodot=1": false, "memory.high": false, "=1": false,
	} {
		if _, err := ParseConf(in); (err == nil) != ok {
			t.Errorf("ParseConf(%q): %v, want ok=%v", in, err, ok)
		}
	}
}
