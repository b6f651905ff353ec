package monitor

import (
	"testing"

	"github.com/burrow/burrow/netconf"
)

// TestNeedsBridge: a container on user-defined networks needs burrow's
// monitor, every other one burrow-init's.
func TestNeedsBridge(t *testing.T) {
	for _, tc := range []struct {
		opt  Opt
		want bool
	}{
		{Opt{Network: "none"}, false},
		{Opt{Network: "pasta"}, false},
		{Opt{Network: "slirp4netns:port_handler=slirp4netns"}, false},
		{Opt{Network: "container:web"}, false},
		{Opt{Network: "host"}, false},
		{Opt{Network: "mynet"}, true},
		{Opt{Network: "a,b"}, true},
		{Opt{Network: "none", Networks: []netconf.Attach{{}}}, true},
	} {
		if got := NeedsBridge(tc.opt); got != tc.want {
			t.Errorf("NeedsBridge(%+v) = %v, want %v", tc.opt, got, tc.want)
		}
	}
}
