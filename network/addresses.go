package network

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/containernetworking/plugins/pkg/ns"
)

// Addresses are a container's own addresses, as inspect shows them.
type Addresses struct {
	IPv4      net.IP
	PrefixLen int
	Gateway   net.IP
	IPv6      net.IP           // global, not link-local
	MAC       net.HardwareAddr // of the first interface with an address
}

// ReadAddresses looks into the network namespace of pid from a thread that
// enters it: the interfaces other than lo, and the default gateway.
func ReadAddresses(pid int) (Addresses, error) {
	var a Addresses
	err := ns.WithNetNSPath(fmt.Sprintf("/proc/%d/ns/net", pid), func(ns.NetNS) error {
		ifaces, err := net.Interfaces()
		if err != nil {
			return err
		}
		for _, iface := range ifaces {
			if iface.Flags&net.FlagLoopback != 0 {
				continue
			}
			addrs, err := iface.Addrs()
			if err != nil {
				return err
			}
			if a.MAC == nil && len(addrs) > 0 {
				a.MAC = iface.HardwareAddr
			}
			a.add(addrs)
		}
		return nil
	})
	if err != nil {
		return a, fmt.Errorf("addresses of the container's network: %w", err)
	}
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/route", pid)); err == nil {
		a.Gateway, _ = DefaultRouteIn(string(data))
	}
	return a, nil
}

func (a *Addresses) add(addrs []net.Addr) {
	for _, addr := range addrs {
		ipn, ok := addr.(*net.IPNet)
		if !ok {
			continue
		}
		if ip4 := ipn.IP.To4(); ip4 != nil && a.IPv4 == nil {
			a.IPv4, a.PrefixLen = ip4, prefixLen(ipn)
		} else if ip4 == nil && ipn.IP.IsGlobalUnicast() && a.IPv6 == nil {
			a.IPv6 = ipn.IP
		}
	}
}

func prefixLen(n *net.IPNet) int {
	ones, _ := n.Mask.Size()
	return ones
}

// DefaultGateway is the gateway of the default route in a
// /proc/.../net/route table, "" when there is none.
func DefaultGateway(routeFile string) string {
	data, err := os.ReadFile(routeFile)
	if err != nil {
		return ""
	}
	gw, ok := DefaultRouteIn(string(data))
	if !ok || gw == nil {
		return ""
	}
	return gw.String()
}

// DefaultRouteIn finds the default route (destination 00000000) in a
// net/route table; its gateway is little-endian hex, nil for a device route.
func DefaultRouteIn(table string) (gw net.IP, ok bool) {
	lines := strings.Split(table, "\n")
	for _, line := range lines[min(1, len(lines)):] {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "00000000" {
			continue
		}
		if b, err := hex.DecodeString(f[2]); err == nil && len(b) == 4 && binary.LittleEndian.Uint32(b) != 0 {
			gw = make(net.IP, 4)
			binary.BigEndian.PutUint32(gw, binary.LittleEndian.Uint32(b))
		}
		return gw, true
	}
	return nil, false
}
