package nsenter

/*
#cgo CFLAGS: -Wall -O2
extern void burrow_nsenter(void);
extern int burrow_joined_pid;
extern int burrow_failed_pid;
extern int burrow_use_lock_fd;
extern char burrow_join_error[256];
void __attribute__((constructor)) burrow_nsenter_init(void) { burrow_nsenter(); }
*/
import "C"

import (
	"os"
	"strconv"

	"github.com/burrow/burrow/userns"
)

// init hands the constructor's result to the Go side through the
// environment, which children inherit: they must not join again.
func init() {
	_ = os.Unsetenv("_BURROW_RUN_DIR")
	userns.AdoptUseLock()
	if pid := int(C.burrow_joined_pid); pid > 0 {
		_ = os.Unsetenv("_BURROW_JOIN_TRIED")
		_ = os.Setenv("_BURROW_IN_USERNS", strconv.Itoa(pid))
		userns.HoldUseLock(int(C.burrow_use_lock_fd))
		rootlessEnv()
	}
	if msg := C.GoString(&C.burrow_join_error[0]); msg != "" {
		_ = os.Setenv("_BURROW_JOIN_ERROR", msg)
		_ = os.Setenv("_BURROW_JOIN_FAILED", strconv.Itoa(int(C.burrow_failed_pid)))
	}
}

// rootlessEnv tells containers/storage and containers/image what rootless
// podman tells them. Inside the namespace burrow is uid 0, which they
// take for real root: without the host uid they use root's paths
// (/var/lib/containers/sigstore, /var/lib/containers/cache,
// registries.d and certs.d of root), which the user cannot read where
// root ran podman, buildah or skopeo, and must never write.
func rootlessEnv() {
	_ = os.Setenv("_CONTAINERS_USERNS_CONFIGURED", "done")
	_ = os.Setenv("_CONTAINERS_ROOTLESS_UID", strconv.Itoa(userns.HostUID()))
	_ = os.Setenv("_CONTAINERS_ROOTLESS_GID", strconv.Itoa(userns.HostID("/proc/self/gid_map", os.Getgid())))
}
