// Package apiversion holds the Docker Engine API versions burrow serves,
// apart from the server (package dockerapi), so that `burrow version` can
// name them without linking the server and its API types: the API is
// served by burrow-build, and every other command's start-up would pay for
// their package initialisation.
package apiversion

// Version is the newest API version served (what rootless podman 5.8
// reports); Min the oldest.
const (
	Version = "1.44"
	Min     = "1.24"
)
