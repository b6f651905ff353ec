// Package netconf keeps user-defined networks: their configuration
// (subnet, gateway, address range, internal, labels), stored one file per
// network under burrow's data directory, validated before anything is
// written; and the address arithmetic of IPAM. It knows nothing of links,
// namespaces or processes: package bridge makes networks real.
package netconf
