package lifecycle

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/burrow/burrow/atomicfile"
)

// An --rm container's record goes with it, yet whoever waits for it (the
// API's wait under `docker run --rm`, `burrow wait`) still wants its exit
// code: it is kept in $RUNROOT/exits/ID for a while.
const keepExits = 10 * time.Minute

func exitFile(runRoot, id string) string { return filepath.Join(runRoot, "exits", id) }

func recordExit(runRoot, id string, code int) error {
	if err := os.MkdirAll(filepath.Join(runRoot, "exits"), 0o700); err != nil {
		return err
	}
	return atomicfile.Write(exitFile(runRoot, id), []byte(strconv.Itoa(code)), 0o600)
}

// RemovedExit is the exit code of the --rm container id, kept after its
// removal; ok is false for a container that did not end that way.
func RemovedExit(runRoot, id string) (code int, ok bool) { return readExit(runRoot, id) }

func readExit(runRoot, id string) (int, bool) {
	data, err := os.ReadFile(exitFile(runRoot, id))
	if err != nil {
		return 0, false
	}
	code, err := strconv.Atoi(strings.TrimSpace(string(data)))
	return code, err == nil
}

// pruneExits drops codes older than keepExits.
func pruneExits(runRoot string) {
	dir := filepath.Join(runRoot, "exits")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	atomicfile.RemoveStale(dir)
	for _, en := range entries {
		if fi, err := en.Info(); err == nil && time.Since(fi.ModTime()) > keepExits {
			_ = os.Remove(filepath.Join(dir, en.Name()))
		}
	}
}
