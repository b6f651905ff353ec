// Package seccomp turns a seccomp profile — docker's default, carried by
// github.com/moby/profiles/seccomp, or a user's JSON file — into the raw BPF
// program a container's init installs (container.SeccompAnnotation).
// Compiling takes libseccomp and a few milliseconds, so the program is
// cached per profile, capability set and architecture in the run
// directory (a reboot, which may bring another kernel, starts afresh),
// and `run` pays a file read. The container side needs no libseccomp:
// burrow-init stays small. Not for installing filters: that is the init's.
package seccomp
