package ocispec

import (
	"slices"
	"testing"
)

// TestDefaultTablesPinned spells out the default tables, so a change to
// them is a visible change to this test rather than something every
// other test (which compares against the same variables) takes along.
func TestDefaultTablesPinned(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want []string
	}{
		// docker's default set (CapBnd 0x00000000a80425fb).
		{"DefaultCaps", DefaultCaps, []string{
			"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD",
			"CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP",
			"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"}},
		{"MaskedPaths", MaskedPaths, []string{
			"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
			"/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
			"/proc/interrupts", "/sys/firmware", "/sys/devices/virtual/powercap",
			"/sys/fs/selinux", "/sys/dev/block"}},
		{"ReadonlyPaths", ReadonlyPaths, []string{
			"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}},
		{"DefaultDevices", DefaultDevices, []string{"null", "zero", "full", "random", "urandom", "tty"}},
	} {
		got, want := slices.Sorted(slices.Values(c.got)), slices.Sorted(slices.Values(c.want))
		if !slices.Equal(got, want) {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if DefaultPath != "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" {
		t.Errorf("DefaultPath = %q", DefaultPath)
	}
}
