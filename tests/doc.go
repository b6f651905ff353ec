// Package tests holds burrow's end-to-end tests: the real binary
// (BURROW_BIN), run as an unprivileged user (tests/asuser does the switch
// when `make e2e` runs as root), with the real newuidmap, overlay or
// fuse-overlayfs, and images made offline from the host's busybox.
// One file per feature; helpers in helpers_test.go.
package tests
