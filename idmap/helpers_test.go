package idmap

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// writeFile creates a file under t's temp dir and returns its path.
func writeFile(t *testing.T, name, content string, mode os.FileMode) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// fakeScript is an executable shell script standing in for a host tool.
func fakeScript(t *testing.T, name, body string) string {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skipf("no sh to run fake %s: %v", name, err)
	}
	return writeFile(t, name, "#!/bin/sh\n"+body+"\n", 0o755)
}

// fakeLookPath finds only the tools in found, the way exec.LookPath would.
func fakeLookPath(found map[string]string) func(string) (string, error) {
	return func(name string) (string, error) {
		if p, ok := found[name]; ok {
			return p, nil
		}
		return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
}
