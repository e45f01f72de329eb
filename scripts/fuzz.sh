#!/usr/bin/env bash
# Fuzzing: every fuzz target of the module for FUZZTIME each (default
# 10s; 22 targets, the snapshot decoders among them: about 5 minutes).
# Seed corpora under testdata/fuzz/ also run as plain tests in
# scripts/test.sh; this explores beyond them.
#
#   FUZZTIME=30s bash scripts/fuzz.sh          every target, 30 s each
#   bash scripts/fuzz.sh ./data/hours          the targets of one package
#
# A crasher found here is written by go test under the package's
# testdata/fuzz/, where it stays as a regression input once committed.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzztime="${FUZZTIME:-10s}"
# Fuzzing runs on Go 1.27.3, which the go command fetches from the module
# proxy (once, then it is cached): before 1.27, the coordinator can report
# the -fuzztime deadline itself as a failing "context deadline exceeded"
# (go.dev/issue/75804) on a busy machine. The module still builds and tests
# on Go 1.26.
export GOTOOLCHAIN="${FUZZ_GOTOOLCHAIN:-go1.27.3}"

if [ "$#" -eq 0 ]; then
	set -- ./...
fi
targets=0
for pkg in $(go list "$@"); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "--- fuzz $pkg $target ($fuzztime)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
		targets=$((targets + 1))
	done
done
echo "fuzz: $targets passed, 0 failed ($fuzztime each)"
