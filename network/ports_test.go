package network

import (
	"errors"
	"testing"

	"github.com/burrow/burrow/errdefs"
)

func TestParsePorts(t *testing.T) {
	cases := []struct {
		in   string
		want []Port
	}{
		{"80", []Port{{HostPort: 80, ContainerPort: 80, Proto: "tcp"}}},
		{"8080:80", []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{"127.0.0.1:5353:53/udp", []Port{{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Proto: "udp"}}},
		{"[::1]:8080:80", []Port{{HostIP: "::1", HostPort: 8080, ContainerPort: 80, Proto: "tcp"}}},
		{"8080-8081:80-81", []Port{{HostPort: 8080, ContainerPort: 80, Proto: "tcp"}, {HostPort: 8081, ContainerPort: 81, Proto: "tcp"}}},
	}
	for _, c := range cases {
		got, err := ParsePorts([]string{c.in})
		if err != nil {
			t.Errorf("%s: %v", c.in, err)
			continue
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %+v, want %+v", c.in, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %+v, want %+v", c.in, got[i], c.want[i])
			}
		}
	}
	for _, bad := range []string{"", "0", "99999", "80/sctp", "x:80", "1.2.3.4.5:80:80", "8080-8081:80", "90-80:90-80", "a:b:c:d"} {
		if _, err := ParsePorts([]string{bad}); !errors.Is(err, errdefs.ErrInvalidArgument) {
			t.Errorf("%q accepted (err %v)", bad, err)
		}
	}
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"80", "8080:80/udp", "127.0.0.1:1-2:3-4", "[::1]:1:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ports, err := ParsePorts([]string{s})
		if err != nil {
			return
		}
		for _, p := range ports {
			if p.HostPort == 0 || p.ContainerPort == 0 || (p.Proto != "tcp" && p.Proto != "udp") {
				t.Fatalf("%q gave %+v", s, p)
			}
		}
	})
}

// TestParsePortsFree: a zero host port gets a free one per container port
// (the API's empty HostPort), each different and nonzero.
func TestParsePortsFree(t *testing.T) {
	got, err := ParsePorts([]string{"0:80-81", "127.0.0.1:0:53/udp"})
	if err != nil || len(got) != 3 {
		t.Fatalf("%+v %v", got, err)
	}
	if got[0].HostPort == 0 || got[1].HostPort == 0 || got[0].HostPort == got[1].HostPort || got[2].HostPort == 0 {
		t.Errorf("host ports not picked: %+v", got)
	}
	if got[1].ContainerPort != 81 || got[2].HostIP != "127.0.0.1" || got[2].Proto != "udp" {
		t.Errorf("%+v", got)
	}
}
