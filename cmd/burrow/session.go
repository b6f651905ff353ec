package main

import (
	"fmt"
	"os"

	"github.com/burrow/burrow/engine"
	"github.com/urfave/cli/v2"
)

// layerWriters are the verbs that create layers: a kill between a layer
// and the image or container that uses it leaks the layer.
var layerWriters = map[string]bool{"load": true, "import": true, "pull": true, "commit": true, "run": true, "create": true, "build": true}

// openEngine opens the engine for a verb.
func openEngine(c *cli.Context) (*engine.Engine, error) {
	return engine.Open(engine.Options{StorageDriver: c.String("storage-driver"), Warn: warn, WritesLayers: layerWriters[c.Command.Name], Registry: registryTransport()})
}

func warn(msg string) {
	fmt.Fprintf(os.Stderr, "WARN: %s\n", msg)
}
