//go:build race

package data

// raceEnabled reports whether the race detector is on: it slows the
// single-goroutine geocoding loops of the national evaluation tenfold
// without anything to find there, so they sample fewer queries.
const raceEnabled = true
