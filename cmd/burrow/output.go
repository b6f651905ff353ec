package main

import (
	"encoding/json"
	"os"
)

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "    ")
	return enc.Encode(v)
}

// toJSON is docker's {{json .Field}} template function.
func toJSON(v any) (string, error) {
	data, err := json.Marshal(v)
	return string(data), err
}
