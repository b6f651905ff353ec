package engine

import (
	"os"
	"os/exec"
	"strings"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/hostbin"
	"github.com/burrow/burrow/userns"
	"golang.org/x/sys/unix"
)

type HelperInfo struct {
	Name    string `json:"name"`
	Path    string `json:"path,omitempty"`
	Version string `json:"version,omitempty"`
	Missing string `json:"missing,omitempty"` // how to get it
}

type CgroupInfo struct {
	Manager     string   `json:"manager"` // cgroupfs (a delegated directory) or none
	Dir         string   `json:"dir,omitempty"`
	Controllers []string `json:"controllers"`
	Missing     []string `json:"missing,omitempty"`
	Fix         string   `json:"fix,omitempty"`
}

// cgroupStatus reports the manager burrow would use, without asking
// systemd for anything.
func cgroupStatus() CgroupInfo {
	all := []string{"cpu", "cpuset", "io", "memory", "pids"}
	m := cgroupv2.Choose(cgroupv2.Host{}, userns.HostUID())
	info := CgroupInfo{Manager: m.Name(), Controllers: []string{}}
	switch m.Name() {
	case "none":
		_, err := m.Delegate("")
		info.Missing, info.Fix = all, err.Error()
	case "cgroupfs":
		d, _ := m.Delegate("")
		info.Dir, info.Controllers = d.Dir, d.Controllers
		if info.Missing = d.Missing(all); len(info.Missing) > 0 {
			info.Fix = cgroupv2.DelegationFix
		}
	case "systemd":
		info.Dir = "a Delegate=yes scope per container, from the systemd user manager"
	}
	return info
}

type Info struct {
	Kernel        string       `json:"kernel"`
	StorageDriver string       `json:"storageDriver"`
	GraphRoot     string       `json:"graphRoot"`
	RunRoot       string       `json:"runRoot"`
	UIDMap        string       `json:"uidMap"`
	GIDMap        string       `json:"gidMap"`
	Cgroup        CgroupInfo   `json:"cgroup"`
	Helpers       []HelperInfo `json:"helpers"`
	Warnings      []string     `json:"warnings,omitempty"`
}

// helperChecks lists the external programs burrow uses and how to ask
// their version (package hostbin knows what installs them).
var helperChecks = []struct{ name, versionArg string }{
	{"newuidmap", ""}, {"newgidmap", ""}, {"fuse-overlayfs", "--version"},
	{"slirp4netns", "--version"}, {"pasta", "--version"},
}

func checkHelper(name, versionArg string) HelperInfo {
	h := HelperInfo{Name: name}
	path, err := exec.LookPath(name)
	if err != nil {
		h.Missing = hostbin.Install(name)
		return h
	}
	h.Path = path
	if versionArg != "" {
		out, _ := exec.Command(path, versionArg).CombinedOutput()
		h.Version = versionLine(string(out))
	}
	return h
}

// versionLine picks the line that names the version (fuse-overlayfs
// prints a warning first).
func versionLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for _, l := range lines {
		if strings.Contains(strings.ToLower(l), "version") {
			return strings.TrimSpace(l)
		}
	}
	return lines[0]
}

func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

// readMap shows a /proc id map as "inside:outside:count,...".
func readMap(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	var parts []string
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts = append(parts, strings.Join(strings.Fields(line), ":"))
	}
	return strings.Join(parts, ",")
}

// Info says what this host allows, what burrow uses and what is missing.
func (e *Engine) Info() Info {
	info := Info{
		Kernel: kernelRelease(), StorageDriver: e.driver.Describe(),
		GraphRoot: e.paths.GraphRoot, RunRoot: e.paths.RunRoot,
		UIDMap: readMap("/proc/self/uid_map"), GIDMap: readMap("/proc/self/gid_map"),
		Cgroup: cgroupStatus(),
	}
	if m, err := userMapping(); err == nil && m.SingleID {
		info.Warnings = append(info.Warnings, m.Warning)
	}
	if e.paths.Warning != "" {
		info.Warnings = append(info.Warnings, e.paths.Warning)
	}
	for _, h := range helperChecks {
		info.Helpers = append(info.Helpers, checkHelper(h.name, h.versionArg))
	}
	return info
}
