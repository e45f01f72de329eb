#!/usr/bin/env bash
# Prints the CPU time (user + system) one benchmark iteration costs, from a
# test binary run twice: N+1 iterations and 1, the difference divided by N,
# which leaves out the setup (loading the data). On a machine shared with
# other work, CPU time counts only what the benchmark itself ran, not the
# time it waited for a processor, so it moves less than ns/op with the
# load; caches and memory bandwidth that others share still move it.
#   scripts/load/cpuper.sh /tmp/api.test 'HTTPNearest$' 20000
set -euo pipefail
bin=$1 bench=$2 n=${3:-20000}
cpu() {
	/usr/bin/time -f "%U %S" "$bin" -test.run '^$' -test.bench "$bench" -test.benchtime "${1}x" -test.cpu 1 2>&1 >/dev/null |
		tail -1 | awk '{print $1 + $2}'
}
one=$(cpu 1)
many=$(cpu $((n + 1)))
awk -v a="$many" -v b="$one" -v n="$n" 'BEGIN { printf "%.1f\n", (a - b) / n * 1e6 }'
