package network

import (
	"net"
	"strings"
)

// WithoutLoopbackServers is the host's resolv.conf without loopback nameservers
// (systemd-resolved's 127.0.0.53 is the container's own loopback inside),
// and fallback (a helper's DNS forwarder) when none is left.
func WithoutLoopbackServers(host, fallback string) string {
	var keep []string
	servers := 0
	for _, line := range strings.Split(host, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if f[0] == "nameserver" {
			if len(f) < 2 || net.ParseIP(f[1]) == nil || net.ParseIP(f[1]).IsLoopback() {
				continue
			}
			servers++
		}
		keep = append(keep, line)
	}
	if servers == 0 {
		keep = append([]string{"nameserver " + fallback}, keep...)
	}
	return strings.Join(keep, "\n") + "\n"
}
