package network

import (
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Counters sums the bytes received and sent on the interfaces of the
// network namespace of pid, loopback left out, as /proc/PID/net/dev counts
// them: what `stats` shows as NET I/O.
func Counters(pid int) (rx, tx int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/dev", pid))
	if err != nil {
		return 0, 0, fmt.Errorf("network counters: %w", err)
	}
	rx, tx = sumNetDev(string(data))
	return rx, tx, nil
}

// sumNetDev reads the table after its two header lines: "name: rx_bytes
// rx_packets ... (8 receive columns) tx_bytes ...".
func sumNetDev(table string) (rx, tx int64) {
	lines := strings.Split(table, "\n")
	for _, line := range lines[min(2, len(lines)):] {
		name, counters, ok := strings.Cut(line, ":")
		f := strings.Fields(counters)
		if !ok || strings.TrimSpace(name) == "lo" || len(f) < 9 {
			continue
		}
		r, _ := strconv.ParseInt(f[0], 10, 64)
		t, _ := strconv.ParseInt(f[8], 10, 64)
		rx, tx = rx+r, tx+t
	}
	return rx, tx
}
