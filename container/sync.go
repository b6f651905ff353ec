package container

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The parent and the init talk over two descriptors the parent passes:
//
//	fd 3  specPipe   parent -> init   the runtime spec as JSON, then EOF
//	fd 4  syncSocket both ways        SOCK_SEQPACKET, one message per packet
//
// Order on syncSocket:
//
//	init -> parent  msgTerminal + the pty master (SCM_RIGHTS)   only with Process.Terminal
//	parent -> init  msgGo                                         when the network is ready
//	init -> parent  msgError {Code, Message}                      only when setup or exec fails
//	EOF                                                            execve succeeded (the socket is close-on-exec)
//
// The init sets up the mounts and enters the root while the parent waits
// for the network helper, then waits for msgGo before it runs the command,
// so a command never starts unnetworked and neither waits for the other.
// The parent treats EOF without msgError as "the command is running".
const (
	specFD = 3
	syncFD = 4
)

// InitVerb is the hidden argv[1] of the re-executed binary that runs Init.
const InitVerb = "__init"

type msgType string

const (
	msgTerminal msgType = "terminal"
	msgGo       msgType = "go"
	msgError    msgType = "error"
)

type syncMsg struct {
	Type    msgType `json:"type"`
	Code    int     `json:"code,omitempty"` // exit code burrow should return
	Message string  `json:"message,omitempty"`
}

// channels are the two descriptors of the protocol, both ends.
type channels struct {
	specR, specW          *os.File
	parentSock, childSock *os.File
}

func openChannels() (*channels, error) {
	specR, specW, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("spec pipe: %w", err)
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		specR.Close()
		specW.Close()
		return nil, fmt.Errorf("sync socket: %w", err)
	}
	return &channels{specR: specR, specW: specW,
		parentSock: os.NewFile(uintptr(pair[0]), "sync"), childSock: os.NewFile(uintptr(pair[1]), "sync")}, nil
}

// close releases whatever is still open; closing twice is harmless.
func (c *channels) close() {
	for _, f := range []*os.File{c.specR, c.specW, c.parentSock, c.childSock} {
		f.Close()
	}
}
