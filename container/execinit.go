package container

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/burrow/burrow/errdefs"
	specs "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"
)

// ExecRequest is what the exec helper reads on its spec descriptor: the
// process and the container's seccomp annotation.
type ExecRequest struct {
	Process     *specs.Process    `json:"process"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// ExecInit is the exec helper's life, already inside the container's
// namespaces (joinErr is the constructor's report). Its C constructor
// forked it into the PID namespace and stays outside as its parent,
// passing on signals and the exit status; this process becomes the
// command itself.
func ExecInit(joinErr string) {
	sync := os.NewFile(syncFD, "sync")
	err := execInContainer(&sync, joinErr)
	code := errdefs.ExitCode(err)
	_ = sendMsg(sync, syncMsg{Type: msgError, Code: code, Message: err.Error()}, nil)
	os.Exit(code)
}

func execInContainer(sync **os.File, joinErr string) error {
	if joinErr != "" {
		return fmt.Errorf("enter container: %s", joinErr)
	}
	keep := preservedFDs()
	if err := dropInherited(firstPreservedFD + keep); err != nil {
		return err
	}
	var req ExecRequest
	procFile := os.NewFile(specFD, "process")
	err := json.NewDecoder(procFile).Decode(&req)
	procFile.Close()
	if err != nil || req.Process == nil || len(req.Process.Args) == 0 {
		return fmt.Errorf("read process: %v", err)
	}
	if *sync, err = arrangeFDs(*sync, keep); err != nil {
		return err
	}
	if req.Process.Terminal {
		slave, err := openTerminal("/", *sync)
		if err != nil {
			return err
		}
		if err := becomeTerminalOwner(slave); err != nil {
			return err
		}
	} else if _, err := unix.Setsid(); err != nil {
		return fmt.Errorf("setsid: %w", err)
	}
	l, err := launchFor(req.Process, req.Annotations, keep)
	if err != nil {
		return err
	}
	return l.start(*sync, false)
}
