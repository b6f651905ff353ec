package imageio

import (
	"os"

	"go.podman.io/image/v5/copy"
	"go.podman.io/image/v5/types"
)

// bigFiles returns sys (or a new context) with containers/image's
// temporary directory set to this process's: left alone, it uses
// /var/tmp, where a killed command's staging directory stays for good.
func bigFiles(sys *types.SystemContext) *types.SystemContext {
	out := types.SystemContext{}
	if sys != nil {
		out = *sys
	}
	if out.BigFilesTemporaryDir == "" {
		out.BigFilesTemporaryDir = os.TempDir()
	}
	return &out
}

// withBigFiles sets both ends of a copy to the process's temporary directory.
func withBigFiles(opts *copy.Options) *copy.Options {
	opts.SourceCtx = bigFiles(opts.SourceCtx)
	opts.DestinationCtx = bigFiles(opts.DestinationCtx)
	return opts
}
