package lifecycle

import (
	"github.com/burrow/burrow/logfile"
	"go.podman.io/storage"
)

// A foreground run without a terminal (run, start -a) keeps its output in
// the container's log, as its monitor does for a detached one: burrow
// stands between the container and its own stdout and stderr with a pipe
// each, passes every read on as it comes and logs it after (relay.drain).
// `logs` reads it afterwards, `logs -f` while it runs; start -a appends.

// openForegroundLog opens c's log for a foreground run: nil for the none
// and passthrough drivers, which keep none.
func openForegroundLog(s storage.Store, c *created) (*logfile.Writer, func(), error) {
	if c.Record.LogDriver != "" {
		return nil, func() {}, nil
	}
	path, err := LogPath(s, c.ID, c.Record)
	if err != nil {
		return nil, nil, err
	}
	w, closeLog, err := logfile.Create(path, c.Record.LogRotation)
	if err != nil {
		return nil, nil, err
	}
	return w, func() { _ = closeLog() }, nil
}
