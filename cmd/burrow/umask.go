package main

import "syscall"

// unixUmask sets the umask, so a socket is created 0600 from the start.
func unixUmask(mask int) int { return syscall.Umask(mask) }
