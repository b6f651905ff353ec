package monitor

import (
	"encoding/json"
	"io"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/burrow/burrow/container"
	"github.com/burrow/burrow/errdefs"
	"github.com/burrow/burrow/events"
)

// ExecVerb is the hidden argv[1] of an exec monitor: the parent of a
// command that `exec -it` runs in a container, so that the detach keys
// can leave it running after burrow exits. It holds the command's pty,
// serves the client at ClientFD, drains the output once nobody is
// attached, and ends with the command.
const ExecVerb = "__exec-monitor"

// ExecOpt is what the CLI hands an exec monitor (as JSON on fd 3).
type ExecOpt struct {
	Pid     int                   `json:"pid"` // the container's PID 1
	Request container.ExecRequest `json:"request"`
	RunRoot string                `json:"runRoot"`
	// Died is the exec_died event, logged here with the exit code when
	// the client detached (an attached one logs it itself).
	Died events.Event `json:"died"`
}

// ExecMain is the exec monitor's life; the ready report (fd 4) says
// whether the command runs, as a container monitor's does.
func ExecMain() int {
	ready := os.NewFile(4, "ready")
	signal.Notify(make(chan os.Signal, 1), syscall.SIGHUP, syscall.SIGINT)
	var opt ExecOpt
	optFile := os.NewFile(3, "opt")
	err := json.NewDecoder(optFile).Decode(&opt)
	optFile.Close()
	if err != nil {
		report(ready, errdefs.ExitBurrow, "exec monitor: read options: "+err.Error())
		return errdefs.ExitBurrow
	}
	cl := openClient()
	p, err := container.Exec(opt.Pid, opt.Request, container.Stdio{})
	if err != nil {
		report(ready, startCode(err), err.Error())
		return errdefs.ExitBurrow
	}
	output := make(chan struct{})
	if p.Terminal != nil {
		cl.attach(p.Terminal, p.Signal)
		go func() {
			// The master reads EIO once every holder of the slave is gone.
			_, _ = io.Copy(cl, p.Terminal)
			close(output)
		}()
	} else {
		close(output)
	}
	report(ready, 0, "")
	code, err := p.Wait()
	if err != nil {
		code = errdefs.ExitBurrow
	}
	select {
	case <-output:
	case <-time.After(2 * time.Second): // a process outside may hold the slave
	}
	cl.release()
	if p.Terminal != nil {
		p.Terminal.Close()
	}
	if cl.detached() {
		ev := opt.Died
		if ev.Attributes == nil {
			ev.Attributes = map[string]string{}
		}
		ev.Attributes["exitCode"] = strconv.Itoa(code)
		_ = events.Write(opt.RunRoot, ev)
	}
	cl.exit(code)
	return 0
}
