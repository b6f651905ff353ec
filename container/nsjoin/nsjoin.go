package nsjoin

/*
#cgo CFLAGS: -Wall -O2
extern void burrow_nsjoin(void);
extern char burrow_exec_error[256];
void __attribute__((constructor)) burrow_nsjoin_init(void) { burrow_nsjoin(); }
*/
import "C"

// Err is why the join failed, or "" when it succeeded or was not asked for.
func Err() string { return C.GoString(&C.burrow_exec_error[0]) }
