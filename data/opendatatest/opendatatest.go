// Package opendatatest lets tests find the national open data: the
// directory named by the environment variable GUICHET_OPENDATA.
package opendatatest

import (
	"os"
	"testing"
)

// Dir returns the national open-data directory. Without GUICHET_OPENDATA
// the test is skipped, except under CI (CI=true), where a test that needs
// the national data must not pass by skipping: it fails.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("GUICHET_OPENDATA")
	if dir == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("GUICHET_OPENDATA is not set: CI must run the tests on national open data")
		}
		tb.Skip("GUICHET_OPENDATA is not set: skipping a test on national open data")
	}
	return dir
}
