//go:build race

package geo

// raceEnabled reports whether the race detector is on: it empties
// sync.Pools at random, so allocation counts that rely on a pool differ.
const raceEnabled = true
