package netconf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"

	"github.com/burrow/burrow/errdefs"
)

// ErrSubnetFull is a network with no address left to hand out.
var ErrSubnetFull = fmt.Errorf("no free address left: %w", errdefs.ErrInvalidArgument)

// Allocate picks an address of n for a container: want when given (it must
// be a free host address of the subnet, inside --ip-range when the network
// has one, not the gateway), else the lowest free one of the range.
// inUse holds the addresses other containers have.
func Allocate(n Network, inUse map[string]bool, want string) (net.IP, error) {
	sub := n.IPNet()
	gw := net.ParseIP(n.Gateway)
	pool := sub
	if n.IPRange != "" {
		_, pool, _ = net.ParseCIDR(n.IPRange)
	}
	if want != "" {
		ip := net.ParseIP(want).To4()
		if ip == nil || !usable(sub, ip) {
			return nil, fmt.Errorf("--ip %s is not a host address of network %s (%s): %w", want, n.Name, n.Subnet, errdefs.ErrInvalidArgument)
		}
		if ip.Equal(gw) {
			return nil, fmt.Errorf("--ip %s is the gateway of network %s: %w", want, n.Name, errdefs.ErrInvalidArgument)
		}
		if inUse[ip.String()] {
			return nil, fmt.Errorf("--ip %s is in use on network %s: %w", want, n.Name, errdefs.ErrInvalidArgument)
		}
		return ip, nil
	}
	first, last := bounds(pool)
	for i := first; i <= last; i++ {
		ip := toIP(i)
		if usable(sub, ip) && !ip.Equal(gw) && !inUse[ip.String()] {
			return ip, nil
		}
	}
	return nil, fmt.Errorf("network %s (%s): %w", n.Name, n.Subnet, ErrSubnetFull)
}

// usable: inside sub, neither its network nor its broadcast address.
func usable(sub *net.IPNet, ip net.IP) bool {
	if !sub.Contains(ip) {
		return false
	}
	first, last := bounds(sub)
	v := binary.BigEndian.Uint32(ip.To4())
	return v != first && v != last
}

func bounds(sub *net.IPNet) (uint32, uint32) {
	first := binary.BigEndian.Uint32(sub.IP.To4())
	ones, bits := sub.Mask.Size()
	return first, first + uint32(1)<<(bits-ones) - 1
}

func toIP(v uint32) net.IP {
	ip := make(net.IP, 4)
	binary.BigEndian.PutUint32(ip, v)
	return ip
}

func offset(ip net.IP, n uint32) net.IP {
	return toIP(binary.BigEndian.Uint32(ip.To4()) + n)
}

// MAC is a locally administered unicast address derived from ip, as
// docker's bridge does: stable for an address, unique on a network.
func MAC(ip net.IP) net.HardwareAddr {
	v := ip.To4()
	return net.HardwareAddr{0x02, 0x42, v[0], v[1], v[2], v[3]}
}

// ParseMAC checks --mac-address: six bytes, unicast (a multicast source
// address is dropped by every bridge), not all zeros.
func ParseMAC(v string) (net.HardwareAddr, error) {
	mac, err := net.ParseMAC(v)
	switch {
	case err != nil || len(mac) != 6:
		return nil, fmt.Errorf("--mac-address %q: want six bytes such as 02:42:0a:59:01:32: %w", v, errdefs.ErrInvalidArgument)
	case mac[0]&1 != 0:
		return nil, fmt.Errorf("--mac-address %s is a multicast address: want a unicast one (even first byte): %w", v, errdefs.ErrInvalidArgument)
	case bytes.Equal(mac, make(net.HardwareAddr, 6)):
		return nil, fmt.Errorf("--mac-address %s: all zeros: %w", v, errdefs.ErrInvalidArgument)
	}
	return mac, nil
}

// Mirror6 is the IPv6 address of a dual-stack network that matches its
// IPv4 address ip: the same host offset in the IPv6 subnet. IPv4
// addresses are unique on a network, so these are too; nil without IPv6.
func Mirror6(n Network, ip net.IP) net.IP {
	sub6, sub4 := n.IPNet6(), n.IPNet()
	if sub6 == nil || ip.To4() == nil {
		return nil
	}
	host := binary.BigEndian.Uint32(ip.To4()) - binary.BigEndian.Uint32(sub4.IP.To4())
	out := make(net.IP, 16)
	copy(out, sub6.IP)
	binary.BigEndian.PutUint32(out[12:], binary.BigEndian.Uint32(out[12:])|host)
	return out
}
