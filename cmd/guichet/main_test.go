package main

import (
	"context"
	"os"
	"testing"
)

// runMainEnv makes the test binary run guichet itself, so that tests can
// start it as a separate process with its own environment.
const runMainEnv = "GUICHET_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
