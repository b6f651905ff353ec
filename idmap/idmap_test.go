package idmap

import (
	"math"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestFormatAndSize(t *testing.T) {
	tests := []struct {
		name string
		in   []specs.LinuxIDMapping
		str  string
		size uint32
	}{
		{name: "empty", in: nil, str: "", size: 0},
		{name: "single", in: []specs.LinuxIDMapping{{ContainerID: 0, HostID: 1000, Size: 1}}, str: "0:1000:1", size: 1},
		{name: "full", in: []specs.LinuxIDMapping{
			{ContainerID: 0, HostID: 1000, Size: 1},
			{ContainerID: 1, HostID: 100000, Size: 65536},
		}, str: "0:1000:1,1:100000:65536", size: 65537},
		{name: "saturates", in: []specs.LinuxIDMapping{
			{ContainerID: 0, HostID: 0, Size: math.MaxUint32},
			{ContainerID: math.MaxUint32, HostID: 5, Size: 1},
		}, str: "0:0:4294967295,4294967295:5:1", size: math.MaxUint32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Format(tt.in); got != tt.str {
				t.Errorf("Format = %q, want %q", got, tt.str)
			}
			if got := Size(tt.in); got != tt.size {
				t.Errorf("Size = %d, want %d", got, tt.size)
			}
		})
	}
}

func TestFullMappingTooBig(t *testing.T) {
	_, err := fullMapping(1000, []Range{{0, math.MaxUint32}, {5, 1}})
	if err == nil {
		t.Fatal("want an error when ranges exceed 2^32 container IDs")
	}
	ms, err := fullMapping(1000, []Range{{1, math.MaxUint32}})
	if err != nil {
		t.Fatalf("2^32 IDs in total must fit: %v", err)
	}
	if got := Format(ms); got != "0:1000:1,1:1:4294967295" {
		t.Errorf("got %s", got)
	}
}
