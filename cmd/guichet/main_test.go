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
	// Snapshots of the test data go to a directory of the run's own, not
	// beside the fixtures of the repository. A test process started by
	// a test inherits it.
	if os.Getenv("GUICHET_SNAPSHOT_DIR") == "" {
		dir, err := os.MkdirTemp("", "guichet-snapshots-")
		if err != nil {
			panic(err)
		}
		os.Setenv("GUICHET_SNAPSHOT_DIR", dir)
		code := m.Run()
		os.RemoveAll(dir)
		os.Exit(code)
	}
	os.Exit(m.Run())
}
