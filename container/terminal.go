package container

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// openTerminal makes a pty in the container's own devpts instance, so the
// command sees /dev/pts/0 of its own, sends the master to the parent and
// returns the slave for the command's stdio.
func openTerminal(root string, sync *os.File) (*os.File, error) {
	master, err := os.OpenFile(filepath.Join(root, "dev/pts/ptmx"), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, fmt.Errorf("open pty master: %w", err)
	}
	defer master.Close()
	if err := unix.IoctlSetPointerInt(int(master.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		return nil, fmt.Errorf("unlock pty: %w", err)
	}
	// TIOCGPTPEER opens the slave through the master, immune to path tricks.
	fd, _, errno := unix.Syscall(unix.SYS_IOCTL, master.Fd(), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if errno != 0 {
		return nil, fmt.Errorf("open pty slave: %w", errno)
	}
	slave := os.NewFile(fd, "pty")
	if err := sendMsg(sync, syncMsg{Type: msgTerminal}, master); err != nil {
		slave.Close()
		return nil, fmt.Errorf("send pty to burrow: %w", err)
	}
	return slave, nil
}

// becomeTerminalOwner starts a session with the pty as its controlling
// terminal, so ^C and ^Z reach the command's process group.
func becomeTerminalOwner(pty *os.File) error {
	if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	if err := unix.IoctlSetInt(int(pty.Fd()), unix.TIOCSCTTY, 0); err != nil {
		return fmt.Errorf("set controlling terminal: %w", err)
	}
	for fd := 0; fd <= 2; fd++ {
		if err := unix.Dup2(int(pty.Fd()), fd); err != nil {
			return fmt.Errorf("attach stdio to pty: %w", err)
		}
	}
	return pty.Close()
}

func sendMsg(sock *os.File, m syncMsg, fd *os.File) error {
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var oob []byte
	if fd != nil {
		oob = unix.UnixRights(int(fd.Fd()))
	}
	// MSG_NOSIGNAL: a peer that is gone is an error to report, not SIGPIPE.
	return unix.Sendmsg(int(sock.Fd()), data, oob, nil, unix.MSG_NOSIGNAL)
}

// recvMsg reads one message and the descriptor that came with it, if any.
// io.EOF-like end is reported as ok=false.
func recvMsg(sock *os.File) (m syncMsg, fd *os.File, ok bool, err error) {
	buf := make([]byte, 64<<10)
	oob := make([]byte, unix.CmsgSpace(4))
	n, oobn, _, _, err := unix.Recvmsg(int(sock.Fd()), buf, oob, unix.MSG_CMSG_CLOEXEC)
	if err != nil {
		return m, nil, false, fmt.Errorf("read the sync socket: %w", err)
	}
	if n == 0 && oobn == 0 {
		return m, nil, false, nil
	}
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		return m, nil, false, fmt.Errorf("parse a message on the sync socket: %w", err)
	}
	if oobn > 0 {
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err == nil && len(msgs) == 1 {
			if fds, err := unix.ParseUnixRights(&msgs[0]); err == nil && len(fds) == 1 {
				fd = os.NewFile(uintptr(fds[0]), "pty-master")
			}
		}
	}
	return m, fd, true, nil
}

// loopbackUp brings lo up in the new network namespace (it starts down).
func loopbackUp() error {
	sock, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	defer unix.Close(sock)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(sock, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(sock, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("bring up lo: %w", err)
	}
	return nil
}
