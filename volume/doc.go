// Package volume keeps burrow's volumes: one directory per volume under
// the data directory, created and removed atomically under one lock, and
// the parsing of -v and --mount into what a container mounts. It knows
// nothing of containers: which container uses a volume is the engine's
// question. Not for host bind mounts alone (ocispec parses --tmpfs).
package volume
