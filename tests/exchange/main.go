// Command exchange is the attacker of the end-to-end cp race test: it swaps
// two paths with renameat2(RENAME_EXCHANGE) until killed, so that a path
// checked by name can be a directory at one instant and a symlink the next.
// The test image's busybox has no tool for renameat2. It is built statically
// (CGO_ENABLED=0) by `make e2e`.
//
//	exchange A B  swap A and B forever; print "exchanging" once the first swap is done
package main

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: exchange A B")
		os.Exit(2)
	}
	a, b := os.Args[1], os.Args[2]
	for i := 0; ; i++ {
		if err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE); err != nil {
			fmt.Fprintf(os.Stderr, "exchange %s %s: %v\n", a, b, err)
			os.Exit(1)
		}
		if i == 0 {
			fmt.Println("exchanging")
		}
	}
}
