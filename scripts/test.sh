#!/usr/bin/env bash
# The test command: every Go test (unit, national data, end-to-end server,
# browser) under the race detector, the allocation tests without it, then
# a bounded fuzzing pass over every fuzz target. National-data tests read
# GUICHET_OPENDATA; it defaults to ../shared/data when that directory
# exists.
#
#   FUZZTIME=10s (default) per fuzz target; FUZZTIME=0 skips fuzzing.
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

# Outside CI the widget browser test skips when a tool it needs is
# missing; go test shows skips only with -v, so say it here.
if [ "${CI:-}" != "true" ]; then
	missing=""
	[ -n "${GUICHET_OPENDATA:-}" ] || missing="$missing GUICHET_OPENDATA"
	command -v node >/dev/null || missing="$missing node"
	[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing ${CHROMIUM:-/usr/bin/chromium}"
	for pkg in playwright-core axe-core libphonenumber-js pixelmatch pngjs; do
		[ -f "scripts/widget-e2e/node_modules/$pkg/package.json" ] || missing="$missing $pkg(npm ci in scripts/widget-e2e)"
	done
	if [ -n "$missing" ]; then
		echo "NOTE: the widget browser test (api/widget TestWidgetInBrowser) is SKIPPED; missing:$missing" >&2
	fi
fi

go test -race ./...
# Allocation counts again without the race detector, which empties
# sync.Pools at random (the tests that depend on a pool skip under it).
go test -count=1 -run 'Alloc' ./...

fuzztime="${FUZZTIME:-10s}"
if [ "$fuzztime" = "0" ]; then
	exit 0
fi
# Fuzzing runs on Go 1.27.3, which the go command fetches from the module
# proxy: before 1.27, the coordinator can report the -fuzztime deadline itself
# as a failing "context deadline exceeded" (go.dev/issue/75804) on a busy
# machine. The module still builds and tests on Go 1.26.
export GOTOOLCHAIN="${FUZZ_GOTOOLCHAIN:-go1.27.3}"
# A crasher found here is written by go test under the package's
# testdata/fuzz/, where it stays as a regression input once committed.
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "--- fuzz $pkg $target ($fuzztime)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
	done
done
