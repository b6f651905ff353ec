package container

import (
	"fmt"
	"os"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// switchUser takes the container user's groups and ids. With a single-ID
// mapping setgroups is denied by the kernel; then the groups stay as they
// are. keepGroups skips setgroups on purpose: the process keeps the user's
// host groups (unmapped, they show as the overflow gid), so group-owned
// host files and devices stay usable; --group-add keep-groups.
func switchUser(u specs.User, keepGroups bool) error {
	if !keepGroups && setgroupsAllowed() {
		groups := make([]int, len(u.AdditionalGids))
		for i, g := range u.AdditionalGids {
			groups[i] = int(g)
		}
		if err := unix.Setgroups(groups); err != nil {
			return fmt.Errorf("set supplementary groups %v: %w", u.AdditionalGids, err)
		}
	}
	if err := unix.Setresgid(int(u.GID), int(u.GID), int(u.GID)); err != nil {
		return fmt.Errorf("set gid %d: %w (is it mapped? see `burrow info`)", u.GID, err)
	}
	if err := unix.Setresuid(int(u.UID), int(u.UID), int(u.UID)); err != nil {
		return fmt.Errorf("set uid %d: %w (is it mapped? see `burrow info`)", u.UID, err)
	}
	return nil
}

func setgroupsAllowed() bool {
	data, err := os.ReadFile("/proc/self/setgroups")
	return err != nil || strings.TrimSpace(string(data)) != "deny"
}
