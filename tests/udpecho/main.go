// Command udpecho is a UDP test peer for the end-to-end tests, bind-mounted
// into the busybox test image, whose busybox has no UDP server. It is built
// statically (CGO_ENABLED=0) by `make e2e`.
//
//	udpecho serve ADDR      answer each datagram with "echo:" + its text
//	udpecho send ADDR TEXT  send TEXT until an answer comes, print it
package main

import (
	"fmt"
	"net"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: udpecho serve ADDR | send ADDR TEXT")
		os.Exit(2)
	}
	var err error
	switch {
	case os.Args[1] == "serve":
		err = serve(os.Args[2])
	case os.Args[1] == "send" && len(os.Args) == 4:
		err = send(os.Args[2], os.Args[3])
	default:
		err = fmt.Errorf("unknown use %q", os.Args[1:])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "udpecho:", err)
		os.Exit(1)
	}
}

func serve(addr string) error {
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return err
	}
	buf := make([]byte, 65536)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			return err
		}
		if _, err := conn.WriteTo(append([]byte("echo:"), buf[:n]...), from); err != nil {
			return err
		}
	}
}

// send retries because UDP gives no sign that the far side is not up yet.
func send(addr, text string) error {
	conn, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	buf := make([]byte, 65536)
	for try := 0; try < 20; try++ {
		if _, err := conn.Write([]byte(text)); err != nil {
			return err
		}
		_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		n, err := conn.Read(buf)
		if err == nil {
			fmt.Println(string(buf[:n]))
			return nil
		}
	}
	return fmt.Errorf("no answer from %s in 10s", addr)
}
