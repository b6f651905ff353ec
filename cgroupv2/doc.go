// Package cgroupv2 gives containers a cgroup of their own inside a cgroup
// v2 subtree delegated to the user, writes their limits, and freezes,
// kills, measures and removes them.
//
// It finds the cgroup2 mount from mountinfo (on hybrid hosts it is
// /sys/fs/cgroup/unified, not /sys/fs/cgroup) and the caller's own cgroup,
// and works in a delegated directory the user can write (the cgroupfs
// manager): a systemd Delegate=yes scope or user@.service subtree, or a
// directory an administrator chowned. Without one, containers run without
// a cgroup and any limit flag is refused with the fix.
//
// Do not use it for cgroup v1 hierarchies.
package cgroupv2
