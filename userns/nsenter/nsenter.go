package nsenter

/*
#cgo CFLAGS: -Wall -O2
extern void burrow_nsenter(void);
extern int burrow_joined_pid;
extern char burrow_join_error[256];
void __attribute__((constructor)) burrow_nsenter_init(void) { burrow_nsenter(); }
*/
import "C"

import (
	"os"
	"strconv"
)

// init hands the constructor's result to the Go side through the
// environment, which children inherit: they must not join again.
func init() {
	_ = os.Unsetenv("_BURROW_JOIN_PID")
	if int(C.burrow_joined_pid) > 0 {
		_ = os.Unsetenv("_BURROW_JOIN_TRIED")
	}
	if pid := int(C.burrow_joined_pid); pid > 0 {
		_ = os.Setenv("_BURROW_IN_USERNS", strconv.Itoa(pid))
		// containers/storage reads this to know it runs rootless.
		_ = os.Setenv("_CONTAINERS_USERNS_CONFIGURED", "done")
	}
	if msg := C.GoString(&C.burrow_join_error[0]); msg != "" {
		_ = os.Setenv("_BURROW_JOIN_ERROR", msg)
	}
}
