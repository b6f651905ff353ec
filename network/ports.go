package network

import (
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/burrow/burrow/errdefs"
)

// Port is one published port: host address and port to container port.
type Port struct {
	HostIP        string `json:"hostIP,omitempty"`
	HostPort      uint16 `json:"hostPort"`
	ContainerPort uint16 `json:"containerPort"`
	Proto         string `json:"proto"` // tcp or udp
}

func (p Port) String() string {
	ip := p.HostIP
	if ip == "" {
		ip = "0.0.0.0"
	}
	return fmt.Sprintf("%d/%s -> %s", p.ContainerPort, p.Proto, net.JoinHostPort(ip, strconv.Itoa(int(p.HostPort))))
}

// ParsePorts reads -p values: [hostIP:][hostPort:]containerPort[/proto],
// where ports may be ranges of the same length (8080-8081:80-81).
func ParsePorts(values []string) ([]Port, error) {
	var out []Port
	for _, v := range values {
		ports, err := parsePort(v)
		if err != nil {
			return nil, fmt.Errorf("publish %q: %w: %w", v, err, errdefs.ErrInvalidArgument)
		}
		out = append(out, ports...)
	}
	return out, nil
}

func parsePort(v string) ([]Port, error) {
	spec, proto, _ := strings.Cut(v, "/")
	if proto == "" {
		proto = "tcp"
	}
	if proto != "tcp" && proto != "udp" {
		return nil, fmt.Errorf("protocol %q (want tcp or udp)", proto)
	}
	hostIP, hostPart, ctrPart := "", "", spec
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		hostPart, ctrPart = spec[:i], spec[i+1:]
		if j := strings.LastIndexByte(hostPart, ':'); j >= 0 {
			hostIP, hostPart = strings.Trim(hostPart[:j], "[]"), hostPart[j+1:]
			if net.ParseIP(hostIP) == nil {
				return nil, fmt.Errorf("host address %q", hostIP)
			}
		}
	}
	cFrom, cTo, err := parseRange(ctrPart)
	if err != nil {
		return nil, err
	}
	hFrom, hTo := cFrom, cTo
	if hostPart == "0" {
		// docker's "pick a free one" (the API's empty or zero HostPort).
		return freePorts(hostIP, cFrom, cTo, proto)
	}
	if hostPart != "" {
		if hFrom, hTo, err = parseRange(hostPart); err != nil {
			return nil, err
		}
	}
	if hTo-hFrom != cTo-cFrom {
		return nil, fmt.Errorf("host and container ranges differ in length")
	}
	var out []Port
	for i := uint16(0); i <= cTo-cFrom; i++ {
		out = append(out, Port{HostIP: hostIP, HostPort: hFrom + i, ContainerPort: cFrom + i, Proto: proto})
	}
	return out, nil
}

func parseRange(s string) (uint16, uint16, error) {
	from, to, isRange := strings.Cut(s, "-")
	a, err := strconv.ParseUint(from, 10, 16)
	if err != nil || a == 0 {
		return 0, 0, fmt.Errorf("port %q", s)
	}
	b := a
	if isRange {
		if b, err = strconv.ParseUint(to, 10, 16); err != nil || b < a {
			return 0, 0, fmt.Errorf("port range %q", s)
		}
	}
	return uint16(a), uint16(b), nil
}

// CheckHostPorts refuses, before anything starts, host ports that an
// unprivileged user cannot bind or that are taken.
func CheckHostPorts(ports []Port) error {
	start := unprivilegedPortStart()
	for _, p := range ports {
		if int(p.HostPort) < start {
			return fmt.Errorf("host port %d is below net.ipv4.ip_unprivileged_port_start=%d: publish a port >= %d, or run `sudo sysctl net.ipv4.ip_unprivileged_port_start=%d`: %w",
				p.HostPort, start, start, p.HostPort, errdefs.ErrInvalidArgument)
		}
		addr := net.JoinHostPort(p.HostIP, strconv.Itoa(int(p.HostPort)))
		var err error
		if p.Proto == "udp" {
			var c net.PacketConn
			if c, err = net.ListenPacket("udp", addr); err == nil {
				c.Close()
			}
		} else {
			var l net.Listener
			if l, err = net.Listen("tcp", addr); err == nil {
				l.Close()
			}
		}
		if err != nil {
			return fmt.Errorf("host port %s/%s is not free (%v): pick another: %w", addr, p.Proto, err, errdefs.ErrInvalidArgument)
		}
	}
	return nil
}

func unprivilegedPortStart() int {
	data, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start")
	if err != nil {
		return 1024
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		return 1024
	}
	return n
}

// PublishExposed gives every exposed port ("80/tcp", from the image) that
// is not published yet a free host port, as -P does.
func PublishExposed(exposed map[string]struct{}, published []Port) ([]Port, error) {
	taken := map[string]bool{}
	for _, p := range published {
		taken[fmt.Sprintf("%d/%s", p.ContainerPort, p.Proto)] = true
	}
	var out []Port
	for spec := range exposed {
		port, proto, _ := strings.Cut(spec, "/")
		if proto == "" {
			proto = "tcp"
		}
		n, err := strconv.ParseUint(port, 10, 16)
		if err != nil || taken[fmt.Sprintf("%d/%s", n, proto)] {
			continue
		}
		host, err := freeHostPort(proto)
		if err != nil {
			return nil, fmt.Errorf("a free host port for %s: %w", spec, err)
		}
		out = append(out, Port{HostPort: host, ContainerPort: uint16(n), Proto: proto})
	}
	return out, nil
}

func freePorts(hostIP string, from, to uint16, proto string) ([]Port, error) {
	var out []Port
	for p := from; p <= to && p >= from; p++ {
		host, err := freeHostPort(proto)
		if err != nil {
			return nil, fmt.Errorf("a free host port for %d/%s: %w", p, proto, err)
		}
		out = append(out, Port{HostIP: hostIP, HostPort: host, ContainerPort: p, Proto: proto})
	}
	return out, nil
}

func freeHostPort(proto string) (uint16, error) {
	if proto == "udp" {
		c, err := net.ListenPacket("udp", ":0")
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return uint16(c.LocalAddr().(*net.UDPAddr).Port), nil
	}
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return uint16(l.Addr().(*net.TCPAddr).Port), nil
}
