package build

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
)

// archNames maps the names people write to Go's.
var archNames = map[string]string{"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm", "armel": "arm", "i386": "386", "i686": "386"}

// qemuNames are the binfmt_misc handler names of qemu-user-static.
var qemuNames = map[string]string{"amd64": "x86_64", "arm64": "aarch64", "arm": "arm", "386": "i386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64"}

// hostPlatform is os/arch of this machine.
func hostPlatform() string { return "linux/" + runtime.GOARCH }

// checkPlatform accepts "" and the host's platform; another one when
// nothing runs (no RUN: a build that only copies needs no emulator, as
// with buildah) or where the kernel can run its binaries (a qemu-user
// handler registered in binfmt_misc under binfmtDir). It returns the
// platform to pull, "" for the host's.
func checkPlatform(v, binfmtDir string, runs bool) (string, error) {
	if v == "" {
		return "", nil
	}
	parts := strings.Split(strings.ToLower(v), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return "", invalid("platform %q: want os/arch[/variant]", v)
	}
	arch := parts[1]
	if a, ok := archNames[arch]; ok {
		arch = a
	}
	if parts[0] != "linux" {
		return "", invalid("platform %q: burrow builds linux images only", v)
	}
	if arch == runtime.GOARCH {
		return "", nil
	}
	if _, ok := qemuNames[arch]; !ok {
		return "", invalid("platform %q: unknown architecture %q", v, parts[1])
	}
	want := fmt.Sprintf("linux/%s", strings.Join(append([]string{arch}, parts[2:]...), "/"))
	if !runs {
		return want, nil
	}
	qemu := qemuNames[arch]
	if qemu == "" {
		qemu = arch
	}
	raw, err := os.ReadFile(binfmtDir + "/qemu-" + qemu)
	if err != nil || !strings.HasPrefix(string(raw), "enabled") {
		return "", invalid("platform %s is not this machine's (%s) and the kernel cannot run its programs, as RUN needs: "+
			"no qemu-%s handler in %s (install qemu-user-static and binfmt-support, or build for %s)", v, hostPlatform(), qemu, binfmtDir, hostPlatform())
	}
	return want, nil
}

// runs says whether a stage has a RUN, which needs the kernel to run
// the stage platform's programs.
func runs(st instructions.Stage) bool {
	return slices.ContainsFunc(st.Commands, func(c instructions.Command) bool {
		_, ok := c.(*instructions.RunCommand)
		return ok
	})
}
