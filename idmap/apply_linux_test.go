//go:build linux

package idmap

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

func TestApplySingleIDUserNamespace(t *testing.T) {
	cmd := exec.Command("sleep", "5")
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	if err := cmd.Start(); err != nil {
		t.Skipf("cannot create a user namespace here (unprivileged userns disabled, seccomp, or no sleep): %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})

	uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
	m := Mapping{UIDs: singleID(uid), GIDs: singleID(gid), SingleID: true}
	if err := Apply(cmd.Process.Pid, m); err != nil {
		t.Fatal(err)
	}
	checkMap(t, cmd.Process.Pid, "uid_map", fmt.Sprintf("0 %d 1", uid))
	checkMap(t, cmd.Process.Pid, "gid_map", fmt.Sprintf("0 %d 1", gid))

	// The kernel accepts a map once; a second Apply must fail, not pass silently.
	if err := Apply(cmd.Process.Pid, m); err == nil {
		t.Error("second Apply succeeded; want the kernel's refusal")
	}
}

func checkMap(t *testing.T, pid int, name, want string) {
	t.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/%s", pid, name))
	if err != nil {
		t.Fatal(err)
	}
	// The kernel pads columns with spaces, so compare fields.
	if got := strings.Join(strings.Fields(string(data)), " "); got != want {
		t.Errorf("%s = %q, want %q", name, data, want)
	}
}
