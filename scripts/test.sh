#!/usr/bin/env bash
# The test command: every Go test (unit, national data, end-to-end server,
# browser) under the race detector, then the allocation tests and the
# brute-force checks again without it: about 4 minutes on 2 cores (the
# budget is 8). It closes with the slowest tests, the tests that were
# skipped and why, and 'N passed, N failed, N skipped'.
#
# National-data tests read GUICHET_OPENDATA; it defaults to ../shared/data
# when that directory exists. Fuzzing is separate: scripts/fuzz.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${GUICHET_OPENDATA:-}" ] && [ -d ../shared/data ]; then
	GUICHET_OPENDATA=../shared/data
fi
if [ -n "${GUICHET_OPENDATA:-}" ]; then
	# Tests run from each package's directory: the path must be absolute.
	GUICHET_OPENDATA="$(cd "$GUICHET_OPENDATA" && pwd)"
	export GUICHET_OPENDATA
fi

runs="$(mktemp -d)"
trap 'rm -rf "$runs"' EXIT
go build -o "$runs/testreport" ./scripts/testreport

# The timeout is the package's, generous because the machine may be shared:
# the summary lists the slowest tests, so slowness shows without failing.
status=0
echo "--- go test -race ./..."
go test -race -timeout 20m -json ./... | tee "$runs/race.json" | "$runs/testreport" || status=1
# Allocation counts again without the race detector, which empties
# sync.Pools at random (the tests that depend on a pool skip under it), and
# the brute-force checks, the heaviest of which skip under it: single
# goroutines, where it finds nothing and costs most.
echo "--- go test -run 'Alloc|BruteForce' ./... (without the race detector)"
go test -count=1 -run 'Alloc|BruteForce' -json ./... | tee "$runs/allocs.json" | "$runs/testreport" || status=1

"$runs/testreport" -summary "$runs/race.json" "$runs/allocs.json" || status=1
exit "$status"
