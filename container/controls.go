package container

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// KeepGroupsAnnotation in a spec makes the init and the exec helper leave
// the supplementary groups as inherited (--group-add keep-groups).
const KeepGroupsAnnotation = "burrow.keep-groups"

// rlimitTypes are the spec's names of the limits --ulimit may set.
var rlimitTypes = map[string]int{
	"RLIMIT_AS": unix.RLIMIT_AS, "RLIMIT_CORE": unix.RLIMIT_CORE, "RLIMIT_CPU": unix.RLIMIT_CPU,
	"RLIMIT_DATA": unix.RLIMIT_DATA, "RLIMIT_FSIZE": unix.RLIMIT_FSIZE, "RLIMIT_LOCKS": unix.RLIMIT_LOCKS,
	"RLIMIT_MEMLOCK": unix.RLIMIT_MEMLOCK, "RLIMIT_MSGQUEUE": unix.RLIMIT_MSGQUEUE, "RLIMIT_NICE": unix.RLIMIT_NICE,
	"RLIMIT_NOFILE": unix.RLIMIT_NOFILE, "RLIMIT_NPROC": unix.RLIMIT_NPROC, "RLIMIT_RSS": unix.RLIMIT_RSS,
	"RLIMIT_RTPRIO": unix.RLIMIT_RTPRIO, "RLIMIT_RTTIME": unix.RLIMIT_RTTIME, "RLIMIT_SIGPENDING": unix.RLIMIT_SIGPENDING,
	"RLIMIT_STACK": unix.RLIMIT_STACK,
}

// setRlimits applies --ulimit and the defaults (limits are per process,
// inherited across exec).
func setRlimits(limits []specs.POSIXRlimit) error {
	for _, l := range limits {
		r, ok := rlimitTypes[l.Type]
		if !ok {
			return fmt.Errorf("unknown rlimit %s", l.Type)
		}
		if err := unix.Setrlimit(r, &unix.Rlimit{Cur: l.Soft, Max: l.Hard}); err != nil {
			return fmt.Errorf("set %s to %d:%d: %w", l.Type, l.Soft, l.Hard, err)
		}
	}
	return nil
}

// setOOMScoreAdj writes --oom-score-adj; lowering it below what burrow
// has needs CAP_SYS_RESOURCE on the host, which the create step checked.
func setOOMScoreAdj(v *int) error {
	if v == nil {
		return nil
	}
	if err := os.WriteFile("/proc/self/oom_score_adj", []byte(strconv.Itoa(*v)), 0); err != nil {
		return fmt.Errorf("set oom_score_adj %d: %w", *v, err)
	}
	return nil
}

// writeSysctls sets --sysctl in the container's own /proc/sys (after
// pivot_root, before /proc/sys is made read-only). Keys were checked to
// be dotted names of namespaced sysctls.
func writeSysctls(sysctls map[string]string) error {
	for k, v := range sysctls {
		p := "/proc/sys/" + strings.ReplaceAll(k, ".", "/")
		if err := os.WriteFile(p, []byte(v), 0); err != nil {
			return fmt.Errorf("sysctl %s=%s: %w", k, v, err)
		}
	}
	return nil
}
