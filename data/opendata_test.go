package data

import (
	"os"
	"testing"
)

// openData returns the national open-data directory named by
// GUICHET_OPENDATA. Without it the test is skipped, except under CI where
// a missing national dataset is a failure.
func openData(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("GUICHET_OPENDATA")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("GUICHET_OPENDATA is not set: CI must run the national-data tests")
		}
		tb.Skip("GUICHET_OPENDATA is not set: skipping the test on national open data")
	}
	return dir
}
