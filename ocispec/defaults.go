package ocispec

// DefaultCaps is docker's default capability set: what a container's root
// keeps. Everything else is dropped from the bounding set.
var DefaultCaps = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
	"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
}

// MaskedPaths are covered (files by /dev/null, directories by an empty
// read-only tmpfs) so the container cannot read host kernel details.
var MaskedPaths = []string{
	"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
	"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
	"/proc/interrupts", "/sys/firmware", "/sys/devices/virtual/powercap",
	"/sys/fs/selinux", "/sys/dev/block",
}

// ReadonlyPaths stay visible but cannot be written.
var ReadonlyPaths = []string{
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
}

// DefaultDevices are bind-mounted from the host's /dev: a user namespace
// cannot mknod them.
var DefaultDevices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// DefaultPath is used when the image sets no PATH.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
