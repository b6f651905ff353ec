package dockerapi

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/engine"
	"github.com/moby/moby/api/types/container"
)

// systemCPU is /proc/stat's total in nanoseconds, docker's
// system_cpu_usage, which clients divide a container's usage by.
func systemCPU() uint64 {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(data), "\n")
	var ticks uint64
	for _, f := range strings.Fields(line)[1:] {
		n, _ := strconv.ParseUint(f, 10, 64)
		ticks += n
	}
	return ticks * (1e9 / 100) // USER_HZ
}

func statsResponse(st engine.Stats, prev *container.StatsResponse) container.StatsResponse {
	r := container.StatsResponse{
		ID: st.ID, Name: "/" + st.Name, OSType: runtime.GOOS, Read: time.Now(),
		CPUStats: container.CPUStats{
			CPUUsage:    container.CPUUsage{TotalUsage: uint64(st.Stats.CPUUsec) * 1000},
			SystemUsage: systemCPU(), OnlineCPUs: uint32(runtime.NumCPU()),
		},
		MemoryStats: container.MemoryStats{Usage: uint64(st.Stats.MemoryBytes), Limit: uint64(st.Stats.MemoryLimit)},
		PidsStats:   container.PidsStats{Current: uint64(st.Stats.Pids)},
		BlkioStats: container.BlkioStats{IoServiceBytesRecursive: []container.BlkioStatEntry{
			{Op: "read", Value: uint64(st.Stats.ReadBytes)}, {Op: "write", Value: uint64(st.Stats.WriteBytes)},
		}},
	}
	if r.MemoryStats.Limit == 0 {
		r.MemoryStats.Limit = memTotal()
	}
	if st.OwnNetwork {
		r.Networks = map[string]container.NetworkStats{"eth0": {RxBytes: uint64(st.NetRx), TxBytes: uint64(st.NetTx)}}
	}
	if prev != nil {
		r.PreCPUStats, r.PreRead = prev.CPUStats, prev.Read
	}
	return r
}

// stats is one sample (stream=false) or one a second until the client
// goes or the container stops.
func (s *Server) stats(w http.ResponseWriter, r *http.Request) {
	c, err := s.eng.Container(r.PathValue("id"))
	if err != nil {
		fail(w, err)
		return
	}
	stream := r.URL.Query().Get("stream") != "false" && r.URL.Query().Get("stream") != "0"
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	fl, _ := w.(http.Flusher)
	var prev *container.StatsResponse
	for {
		var sample container.StatsResponse
		if c.Running {
			all, err := s.eng.Stats([]string{c.ID})
			if err != nil || len(all) == 0 {
				if prev == nil {
					fail(w, err)
				}
				return
			}
			sample = statsResponse(all[0], prev)
		} else {
			sample = container.StatsResponse{ID: c.ID, Name: "/" + c.Record.Name, Read: time.Now()}
		}
		if err := enc.Encode(sample); err != nil {
			return
		}
		if fl != nil {
			fl.Flush()
		}
		if !stream || !c.Running {
			return
		}
		prev = &sample
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
		if c, err = s.eng.Container(c.ID); err != nil {
			return
		}
	}
}
