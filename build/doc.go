// Package build makes images from a Dockerfile (or Containerfile) on top
// of the engine: every RUN is a burrow container, every COPY a container
// that never runs, and each step an unnamed image in the store that a
// later build with the same parent, instruction, arguments and copied
// content finds again (the layer cache). Parsing is buildkit's parser.
//
// Prepare checks everything it can without the store (the file, the
// target, build arguments, the context and every COPY source in it), so
// bad input fails before any container or layer exists; Run then builds.
// Only the build verb imports this package: the parser stays off the
// start-up path of every other command.
package build
