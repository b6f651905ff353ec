// Package idmap works out which host user and group IDs a rootless
// container's user namespace may use, and writes that mapping for a child
// process.
//
// ForUser reads the subordinate ID ranges granted to the calling user
// (through getsubids when it is installed, so that ranges served by NSS
// plugins such as sssd are seen, else from /etc/subuid and /etc/subgid).
// Container ID 0 becomes the user's own ID and the ranges follow it. When
// the user has no ranges, or the setuid helpers newuidmap/newgidmap are
// missing, it degrades to mapping root alone and returns a warning with the
// exact commands that fix the host. Apply then writes the mapping for a
// process that sits in a fresh, still unmapped user namespace.
//
// Do not use it when burrow runs as real root: root may write any mapping
// itself and has no subordinate ranges to read. Do not use it to join a
// namespace that already has a mapping; the kernel allows uid_map and
// gid_map to be written once. It never edits /etc/subuid or /etc/subgid,
// and it does not check ranges for overlaps with other users; newuidmap
// enforces what the administrator granted.
package idmap
