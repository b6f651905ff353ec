// Package detachkeys reads docker's --detach-keys notation and watches a
// stream of typed input for the sequence, so a terminal session can leave
// its container (or exec'd command) running. Not for binary streams: a
// pipe without a terminal is passed on as it is.
package detachkeys
