//go:build race

package geo

// raceEnabled reports whether the race detector is on: it empties
// sync.Pools at random, so allocation counts that rely on a pool differ.
const raceEnabled = true

// skipUnderRace skips a single-goroutine check against a brute-force
// oracle: the race detector can find nothing there and makes it many times
// slower. scripts/test.sh runs the *BruteForce tests again without it.
func skipUnderRace(t interface{ Skip(...any) }) {
	t.Skip("a single-goroutine brute-force check: scripts/test.sh runs it without the race detector")
}
