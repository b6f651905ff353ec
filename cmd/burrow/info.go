package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/burrow/burrow/hostbin"

	"github.com/burrow/burrow/cgroupv2"
	"github.com/burrow/burrow/userns"
	"github.com/urfave/cli/v2"
	"golang.org/x/sys/unix"
)

func infoCommand() *cli.Command {
	return &cli.Command{
		Name:    "info",
		Aliases: []string{"check"},
		Usage:   "show what this host allows, what burrow uses and what is missing",
		Flags:   []cli.Flag{&cli.StringFlag{Name: "format", Aliases: []string{"f"}, Usage: "json or a Go template"}},
		Action:  infoAction,
	}
}

type helperInfo struct {
	Name    string `json:"name"`
	Path    string `json:"path,omitempty"`
	Version string `json:"version,omitempty"`
	Missing string `json:"missing,omitempty"` // how to get it
}

type cgroupInfo struct {
	Manager     string   `json:"manager"` // cgroupfs (a delegated directory) or none
	Dir         string   `json:"dir,omitempty"`
	Controllers []string `json:"controllers"`
	Missing     []string `json:"missing,omitempty"`
	Fix         string   `json:"fix,omitempty"`
}

// cgroupStatus reports the manager burrow would use, without asking
// systemd for anything.
func cgroupStatus() cgroupInfo {
	all := []string{"cpu", "cpuset", "io", "memory", "pids"}
	m := cgroupv2.Choose(cgroupv2.Host{}, userns.HostUID())
	info := cgroupInfo{Manager: m.Name(), Controllers: []string{}}
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

type hostInfo struct {
	Kernel        string       `json:"kernel"`
	StorageDriver string       `json:"storageDriver"`
	GraphRoot     string       `json:"graphRoot"`
	RunRoot       string       `json:"runRoot"`
	UIDMap        string       `json:"uidMap"`
	GIDMap        string       `json:"gidMap"`
	Cgroup        cgroupInfo   `json:"cgroup"`
	Helpers       []helperInfo `json:"helpers"`
	Warnings      []string     `json:"warnings,omitempty"`
}

// helperChecks lists the external programs burrow uses and how to ask
// their version (package hostbin knows what installs them).
var helperChecks = []struct{ name, versionArg string }{
	{"newuidmap", ""}, {"newgidmap", ""}, {"fuse-overlayfs", "--version"},
	{"slirp4netns", "--version"}, {"pasta", "--version"},
}

func infoAction(c *cli.Context) error {
	sess, err := openSession(c)
	if err != nil {
		return err
	}
	defer sess.close()
	info := hostInfo{
		Kernel: kernelRelease(), StorageDriver: sess.driver.Describe(),
		GraphRoot: sess.paths.GraphRoot, RunRoot: sess.paths.RunRoot,
		UIDMap: readMap("/proc/self/uid_map"), GIDMap: readMap("/proc/self/gid_map"),
		Cgroup: cgroupStatus(),
	}
	if m, err := userMapping(); err == nil && m.SingleID {
		info.Warnings = append(info.Warnings, m.Warning)
	}
	if sess.paths.Warning != "" {
		info.Warnings = append(info.Warnings, sess.paths.Warning)
	}
	for _, h := range helperChecks {
		info.Helpers = append(info.Helpers, checkHelper(h.name, h.versionArg))
	}
	switch format := c.String("format"); format {
	case "json":
		return printJSON(info)
	case "":
		printInfo(info)
		return nil
	default:
		return printTemplate(format, info)
	}
}

func printInfo(info hostInfo) {
	fmt.Printf("kernel:          %s\n", info.Kernel)
	fmt.Printf("storage driver:  %s\n", info.StorageDriver)
	fmt.Printf("graph root:      %s\n", info.GraphRoot)
	fmt.Printf("run root:        %s\n", info.RunRoot)
	fmt.Printf("uid map:         %s\n", info.UIDMap)
	fmt.Printf("gid map:         %s\n", info.GIDMap)
	fmt.Printf("cgroup manager:  %s %s\n", info.Cgroup.Manager, info.Cgroup.Dir)
	fmt.Printf("controllers:     %s\n", strings.Join(info.Cgroup.Controllers, " "))
	if info.Cgroup.Fix != "" {
		fmt.Printf("  missing %s: %s\n", strings.Join(info.Cgroup.Missing, " "), info.Cgroup.Fix)
	}
	fmt.Println("helpers:")
	for _, h := range info.Helpers {
		if h.Missing != "" {
			fmt.Printf("  %-15s missing: %s\n", h.Name, h.Missing)
			continue
		}
		fmt.Printf("  %-15s %s %s\n", h.Name, h.Path, h.Version)
	}
	for _, w := range info.Warnings {
		fmt.Printf("warning: %s\n", w)
	}
}

func checkHelper(name, versionArg string) helperInfo {
	h := helperInfo{Name: name}
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
