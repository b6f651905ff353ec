// Package lifecycle creates, runs and removes containers: it joins the
// store (images, container records and layers), ocispec (the runtime
// spec) and container (the processes) into the verbs' operations, and
// repairs what a killed command left half done (reap.go).
//
// It assumes the caller already runs inside burrow's user namespace.
package lifecycle
