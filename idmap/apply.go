package idmap

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/burrow/burrow/hostbin"
	"io/fs"
	"os"
	"os/exec"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// Apply writes the mapping for process pid, which must be in a fresh user
// namespace that has no mapping yet.
//
// A full mapping goes through newuidmap and newgidmap, because only those
// setuid helpers may map IDs other than the caller's own. A SingleID mapping
// is written straight to /proc/PID, which the kernel allows for the
// caller's own IDs once setgroups is denied.
func Apply(pid int, m Mapping) error {
	if pid <= 0 {
		return fmt.Errorf("apply id mapping: invalid pid %d", pid)
	}
	if len(m.UIDs) == 0 || len(m.GIDs) == 0 {
		return fmt.Errorf("apply id mapping to pid %d: mapping has no uids or no gids", pid)
	}
	if m.SingleID {
		return writeProcMaps(pid, m)
	}
	if err := runMapHelper("newuidmap", m.NewUIDMap, pid, m.UIDs); err != nil {
		return err
	}
	return runMapHelper("newgidmap", m.NewGIDMap, pid, m.GIDs)
}

// runMapHelper runs newuidmap or newgidmap. Its error shows the command
// line under the helper's plain name plus the helper's own stderr, since
// that is where the reason (e.g. a range not in /etc/subuid) is printed.
func runMapHelper(name, path string, pid int, ms []specs.LinuxIDMapping) error {
	args := helperArgs(pid, ms)
	cmdline := name + " " + strings.Join(args, " ")
	if path == "" {
		return fmt.Errorf("%s: %s not found (%s)", cmdline, name, hostbin.Install(name))
	}
	var stderr bytes.Buffer
	cmd := exec.Command(path, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return fmt.Errorf("%s: %s: %w", cmdline, msg, err)
		}
		return fmt.Errorf("%s: %w", cmdline, err)
	}
	return nil
}

// helperArgs is "PID c h s c h s ...".
func helperArgs(pid int, ms []specs.LinuxIDMapping) []string {
	args := []string{strconv.Itoa(pid)}
	for _, m := range ms {
		args = append(args,
			strconv.FormatUint(uint64(m.ContainerID), 10),
			strconv.FormatUint(uint64(m.HostID), 10),
			strconv.FormatUint(uint64(m.Size), 10))
	}
	return args
}

func writeProcMaps(pid int, m Mapping) error {
	dir := "/proc/" + strconv.Itoa(pid)
	// An unprivileged writer may not set gid_map until setgroups is denied.
	// Kernels before 3.19 have no setgroups file and no such rule.
	err := writeOnce(dir+"/setgroups", "deny")
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := writeOnce(dir+"/uid_map", mapLines(m.UIDs)); err != nil {
		return err
	}
	return writeOnce(dir+"/gid_map", mapLines(m.GIDs))
}

// mapLines is the uid_map/gid_map text: one "c h s" line per extent.
func mapLines(ms []specs.LinuxIDMapping) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%d %d %d\n", m.ContainerID, m.HostID, m.Size)
	}
	return b.String()
}

// writeOnce writes data with a single write(2): the kernel takes a map from
// one write only and refuses any later one.
func writeOnce(path, data string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("write id map: %w", err)
	}
	_, err = f.Write([]byte(data))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", strings.TrimSpace(data), path, err)
	}
	return nil
}
