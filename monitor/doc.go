// Package monitor is the per-container monitor of a detached container:
// a small process (burrow-init __monitor; burrow __monitor for a container
// on user-defined networks, see NeedsBridge), detached from the terminal,
// that is the container's parent. It writes the container's output to its
// json-file log, applies the restart policy, keeps the run-time state
// (ctrstate) current, and when the container is down for good runs
// `burrow __finish`, which records the exit in the store and cleans up.
//
// It links no storage or image code, so that a hundred idle containers
// cost a hundred small processes, not a hundred copies of the CLI.
package monitor
