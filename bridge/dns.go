package bridge

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// responder answers, for a client container, the names and aliases of the
// containers on its own networks (and only those), and forwards other
// names to the host's resolvers unless all of its networks are internal.
type responder struct {
	runRoot  string
	upstream []string
	client   *dns.Client

	mu     sync.Mutex
	stamp  time.Time
	cached []Endpoint
}

// dnsSockets are port 53 in the rootless netns, opened there.
type dnsSockets struct {
	udp net.PacketConn
	tcp net.Listener
}

func listenDNS() (dnsSockets, error) {
	var d dnsSockets
	var err error
	if d.udp, err = net.ListenPacket("udp4", ":53"); err != nil {
		return d, fmt.Errorf("DNS responder on UDP port 53: %w", err)
	}
	if d.tcp, err = net.Listen("tcp4", ":53"); err != nil {
		d.udp.Close()
		return d, fmt.Errorf("DNS responder on TCP port 53: %w", err)
	}
	return d, nil
}

func serveDNS(runRoot string, d dnsSockets) {
	r := &responder{runRoot: runRoot, upstream: upstreams("/etc/resolv.conf"),
		client: &dns.Client{Timeout: 4 * time.Second}}
	go func() { _ = (&dns.Server{PacketConn: d.udp, Handler: r}).ActivateAndServe() }()
	go func() { _ = (&dns.Server{Listener: d.tcp, Handler: r}).ActivateAndServe() }()
}

// upstreams are the host's nameservers that the rootless netns can reach:
// loopback ones (systemd-resolved) are replaced by pasta's forwarder.
func upstreams(resolvConf string) []string {
	data, _ := os.ReadFile(resolvConf)
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "nameserver" {
			if ip := net.ParseIP(f[1]); ip != nil && !ip.IsLoopback() {
				out = append(out, net.JoinHostPort(f[1], "53"))
			}
		}
	}
	if len(out) == 0 {
		out = []string{net.JoinHostPort(upstreamDNS, "53")}
	}
	return out
}

// endpoints reads the endpoint files again only when their directory changed.
func (r *responder) endpoints() []Endpoint {
	r.mu.Lock()
	defer r.mu.Unlock()
	fi, err := os.Stat(filepath.Join(Dir(r.runRoot), endpointsDir))
	if err != nil {
		return nil
	}
	if !fi.ModTime().Equal(r.stamp) || r.cached == nil {
		r.cached, _ = Endpoints(r.runRoot)
		r.stamp = fi.ModTime()
	}
	return r.cached
}

func (r *responder) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	if len(q.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(q, dns.RcodeFormatError)
		_ = w.WriteMsg(m)
		return
	}
	src := clientIP(w.RemoteAddr())
	eps := r.endpoints()
	nets, internal := networksOf(eps, src)
	name := strings.ToLower(strings.TrimSuffix(q.Question[0].Name, "."))
	if ips := lookup(eps, nets, name); len(ips) > 0 {
		_ = w.WriteMsg(answer(q, ips))
		return
	}
	if len(nets) == 0 || internal {
		m := new(dns.Msg)
		m.SetRcode(q, dns.RcodeNameError)
		_ = w.WriteMsg(m)
		return
	}
	_ = w.WriteMsg(r.forwardQuery(q, w.RemoteAddr().Network()))
}

func clientIP(a net.Addr) string {
	host, _, _ := net.SplitHostPort(a.String())
	return host
}

// networksOf are the networks of the container that has address src, and
// whether all of them are internal.
func networksOf(eps []Endpoint, src string) (map[string]bool, bool) {
	ctr := ""
	for _, ep := range eps {
		if ep.IP == src || (ep.IP6 != "" && net.ParseIP(ep.IP6).Equal(net.ParseIP(src))) {
			ctr = ep.Container
		}
	}
	nets, internal := map[string]bool{}, true
	for _, ep := range eps {
		if ctr != "" && ep.Container == ctr {
			nets[ep.Network.ID] = true
			internal = internal && ep.Network.Internal
		}
	}
	return nets, internal
}

// lookup finds name among the containers on nets: name, alias or short ID.
func lookup(eps []Endpoint, nets map[string]bool, name string) []net.IP {
	var ips []net.IP
	for _, ep := range eps {
		if !nets[ep.Network.ID] || !answersTo(ep, name) {
			continue
		}
		ips = append(ips, net.ParseIP(ep.IP))
		if ep.IP6 != "" {
			ips = append(ips, net.ParseIP(ep.IP6))
		}
	}
	return ips
}

func answersTo(ep Endpoint, name string) bool {
	if strings.EqualFold(ep.Name, name) || (len(name) >= 12 && strings.HasPrefix(ep.Container, name)) {
		return true
	}
	for _, a := range ep.Aliases {
		if strings.EqualFold(a, name) {
			return true
		}
	}
	return false
}

// answer holds the A (IPv4) or AAAA (IPv6) records of a known name; other
// types get an empty answer, so a resolver does not go on to ask elsewhere.
func answer(q *dns.Msg, ips []net.IP) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = true
	hdr := dns.RR_Header{Name: q.Question[0].Name, Rrtype: q.Question[0].Qtype, Class: dns.ClassINET, Ttl: 0}
	for _, ip := range ips {
		switch ip4 := ip.To4(); {
		case q.Question[0].Qtype == dns.TypeA && ip4 != nil:
			m.Answer = append(m.Answer, &dns.A{Hdr: hdr, A: ip4})
		case q.Question[0].Qtype == dns.TypeAAAA && ip4 == nil:
			m.Answer = append(m.Answer, &dns.AAAA{Hdr: hdr, AAAA: ip})
		}
	}
	return m
}

func (r *responder) forwardQuery(q *dns.Msg, network string) *dns.Msg {
	c := *r.client
	if network == "tcp" {
		c.Net = "tcp"
	}
	for _, up := range r.upstream {
		if resp, _, err := c.Exchange(q, up); err == nil {
			return resp
		}
	}
	m := new(dns.Msg)
	m.SetRcode(q, dns.RcodeServerFailure)
	return m
}
