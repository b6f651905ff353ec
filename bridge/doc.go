// Package bridge makes user-defined networks real, rootless: one network
// namespace per user (the rootless netns, held by `burrow __netns`,
// which also answers DNS for the networks' containers), a Linux bridge per
// network in it, a veth pair per container and network, nftables rules for
// NAT and isolation, and pasta as the namespace's uplink to the world.
//
// Everything here runs inside burrow's user namespace. Configuration lives
// in package netconf; this package only keeps run-time state under
// $RUNROOT/netns. Not for the per-container user-mode modes (package slirp).
package bridge
