package netconf

import (
	"encoding/binary"
	"encoding/hex"
	"net"
	"os"
	"strings"
)

// HostRoutes reads the IPv4 destinations of a /proc/net/route table: the
// networks a new subnet must not shadow.
func HostRoutes(path string) []*net.IPNet {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []*net.IPNet
	for _, line := range strings.Split(string(data), "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 8 {
			continue
		}
		dst, err1 := hex.DecodeString(f[1])
		mask, err2 := hex.DecodeString(f[7])
		if err1 != nil || err2 != nil || len(dst) != 4 || len(mask) != 4 {
			continue
		}
		// The kernel prints them in host (little-endian) order.
		d, m := make(net.IP, 4), make(net.IPMask, 4)
		binary.BigEndian.PutUint32(d, binary.LittleEndian.Uint32(dst))
		binary.BigEndian.PutUint32(m, binary.LittleEndian.Uint32(mask))
		out = append(out, &net.IPNet{IP: d, Mask: m})
	}
	return out
}
