package lifecycle

import (
	"fmt"
	"github.com/burrow/burrow/netconf"
	"net"
	"strings"

	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/network"
)

// etcOpt is what /etc/hosts and /etc/resolv.conf of a container are made of.
type etcOpt struct {
	Hostname, Name             string
	Network                    network.Mode
	Backend                    network.Backend
	DNS, DNSSearch, DNSOptions []string
	AddHosts                   []string
	Nameservers                []string // the responders of user-defined networks
	HostHosts, HostResolv      []byte
	// HostsBase, when not nil, starts /etc/hosts instead of the host's
	// (--network host) or nothing (--hosts-file).
	HostsBase []byte
}

// etcContents builds both files: --hosts-file's base, or the host's for
// --network host; then, off the host network,
// localhost, the hostname, host.containers.internal when the host is
// reachable, --add-host lines; resolv.conf from the host or the helper's
// forwarder, overridden by --dns, --dns-search and --dns-option.
func etcContents(o etcOpt) (string, string, error) {
	gw := o.Backend.HostGateway(o.Network)
	var hosts strings.Builder
	switch {
	case o.HostsBase != nil:
		hosts.Write(o.HostsBase)
		if len(o.HostsBase) > 0 && o.HostsBase[len(o.HostsBase)-1] != '\n' {
			hosts.WriteByte('\n')
		}
	case o.Network.Kind == network.Host:
		hosts.Write(o.HostHosts)
	}
	if o.Network.Kind != network.Host {
		names := o.Hostname
		if o.Name != "" && o.Name != o.Hostname {
			names += " " + o.Name
		}
		fmt.Fprintf(&hosts, "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t%s\n", names)
		if gw != "" {
			fmt.Fprintf(&hosts, "%s\thost.containers.internal host.docker.internal\n", gw)
		}
	}
	for _, h := range o.AddHosts {
		name, ip, ok := strings.Cut(h, ":")
		if ip == "host-gateway" {
			if gw == "" {
				return "", "", fmt.Errorf("--add-host %s: host-gateway needs a network with a way to the host (pasta, slirp4netns, host): %w", h, errdefs.ErrInvalidArgument)
			}
			ip = gw
		}
		if !ok || name == "" || net.ParseIP(ip) == nil {
			return "", "", fmt.Errorf("--add-host %q: want NAME:IP or NAME:host-gateway: %w", h, errdefs.ErrInvalidArgument)
		}
		fmt.Fprintf(&hosts, "%s\t%s\n", ip, name)
	}
	resolv := o.Backend.ResolvConf(o.Network, string(o.HostResolv))
	if len(o.Nameservers) > 0 {
		resolv = networkResolv(resolv, o.Nameservers)
	}
	if len(o.DNS)+len(o.DNSSearch)+len(o.DNSOptions) > 0 {
		resolv = customResolv(resolv, o)
	}
	return hosts.String(), resolv, nil
}

// customResolv replaces the parts of resolv.conf the flags name.
func customResolv(base string, o etcOpt) string {
	var keep []string
	for _, line := range strings.Split(base, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if (f[0] == "nameserver" && len(o.DNS) > 0) || ((f[0] == "search" || f[0] == "domain") && len(o.DNSSearch) > 0) || (f[0] == "options" && len(o.DNSOptions) > 0) {
			continue
		}
		keep = append(keep, line)
	}
	for _, ns := range o.DNS {
		keep = append(keep, "nameserver "+ns)
	}
	if len(o.DNSSearch) > 0 {
		keep = append(keep, "search "+strings.Join(o.DNSSearch, " "))
	}
	if len(o.DNSOptions) > 0 {
		keep = append(keep, "options "+strings.Join(o.DNSOptions, " "))
	}
	return strings.Join(keep, "\n") + "\n"
}

// networkResolv names the DNS responders of the container's networks
// (each answers the names of its containers and forwards the rest),
// keeping the host's search domains and options.
func networkResolv(host string, servers []string) string {
	var keep []string
	for _, ns := range servers {
		keep = append(keep, "nameserver "+ns)
	}
	for _, line := range strings.Split(host, "\n") {
		if f := strings.Fields(line); len(f) > 0 && (f[0] == "search" || f[0] == "domain" || f[0] == "options") {
			keep = append(keep, line)
		}
	}
	return strings.Join(keep, "\n") + "\n"
}

// nameservers are the gateways of a container's networks, where the
// rootless netns answers DNS.
func nameservers(networks []netconf.Attach) []string {
	var out []string
	for _, a := range networks {
		out = append(out, a.Network.Gateway)
	}
	return out
}

// swapNameservers replaces the responders of a container's old networks in
// its resolv.conf with those of its new ones (network connect, disconnect),
// where the first of the old ones was, keeping every other line. A file
// that names none of the old ones (--dns, or edited in the container) is
// the user's, and is left alone, as it is when no network is left.
func swapNameservers(content string, old, new []string) (string, bool) {
	isOld := map[string]bool{}
	for _, s := range old {
		isOld[s] = true
	}
	var out []string
	placed := false
	for _, line := range strings.Split(strings.TrimSuffix(content, "\n"), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "nameserver" || !isOld[f[1]] {
			out = append(out, line)
			continue
		}
		if !placed {
			for _, s := range new {
				out = append(out, "nameserver "+s)
			}
			placed = true
		}
	}
	if !placed || len(new) == 0 {
		return content, false
	}
	return strings.Join(out, "\n") + "\n", true
}
