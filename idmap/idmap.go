package idmap

import (
	"fmt"
	"math"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// idSpace is the number of distinct 32-bit IDs. Sums are done in uint64
// against it because a range may legally end exactly at 2^32.
const idSpace = uint64(1) << 32

// Range is a block of subordinate IDs from /etc/subuid or /etc/subgid.
type Range struct{ Start, Count uint32 }

// end is one past the last ID of r.
func (r Range) end() uint64 { return uint64(r.Start) + uint64(r.Count) }

// Mapping is what the user namespace gets.
type Mapping struct {
	UIDs, GIDs []specs.LinuxIDMapping
	// SingleID is set when only container 0 is mapped, to the user.
	SingleID bool
	// Warning is non-empty with SingleID: it says what breaks and the exact fix.
	Warning string
	// NewUIDMap and NewGIDMap are the paths of the helpers when found.
	NewUIDMap, NewGIDMap string
}

// Format renders ms for display, e.g. "0:1000:1,1:100000:65536".
func Format(ms []specs.LinuxIDMapping) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%d:%d:%d", m.ContainerID, m.HostID, m.Size)
	}
	return strings.Join(parts, ",")
}

// Size is the total number of IDs mapped by ms. It saturates at
// math.MaxUint32 because a mapping of all 2^32 IDs does not fit in a uint32.
func Size(ms []specs.LinuxIDMapping) uint32 {
	var n uint64
	for _, m := range ms {
		n += uint64(m.Size)
	}
	return uint32(min(n, math.MaxUint32))
}

// singleID maps container 0 to own and nothing else.
func singleID(own uint32) []specs.LinuxIDMapping {
	return []specs.LinuxIDMapping{{ContainerID: 0, HostID: own, Size: 1}}
}

// fullMapping puts own at container 0 and the ranges after it, in order.
func fullMapping(own uint32, ranges []Range) ([]specs.LinuxIDMapping, error) {
	ms := singleID(own)
	next := uint64(1)
	for _, r := range ranges {
		if next+uint64(r.Count) > idSpace {
			return nil, fmt.Errorf("subordinate ranges hold more IDs than a namespace can map (%d + %d > 2^32)", next, r.Count)
		}
		ms = append(ms, specs.LinuxIDMapping{ContainerID: uint32(next), HostID: r.Start, Size: r.Count})
		next += uint64(r.Count)
	}
	return ms, nil
}
