#!/usr/bin/env bash
# Start time of guichet on a data directory, median of RUNS runs each:
# `guichet nearest` (wall and CPU seconds) and `guichet serve` until
# /readyz answers 200 (wall), in three states:
#   files     the data files parsed, no snapshot read or written (--no-snapshot)
#   first     the data files parsed and the snapshot written (first run)
#   snapshot  the dataset read from the snapshot (every later run)
# A binary that predates the snapshot ignores its settings: its three
# states are one, which makes it the baseline.
#
#   bash scripts/start-time.sh BINARY [DATA_DIR] [RUNS]
#   bash scripts/start-time.sh /work/bench/cur/guichet /work/shared/data 5
set -euo pipefail
bin="$1"
data="${2:-${GUICHET_OPENDATA:?set GUICHET_OPENDATA or pass a data directory}}"
runs="${3:-5}"
snapdir="$(mktemp -d)"
trap 'rm -rf "$snapdir"' EXIT
export GUICHET_SNAPSHOT_DIR="$snapdir"
port=$((20000 + RANDOM % 10000))

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# prepare STATE: what must hold before a run in that state.
prepare() {
	case "$1" in
	files | first) rm -f "$snapdir"/snapshot-* ;;
	snapshot) [ -n "$(ls "$snapdir")" ] || "$bin" validate --data "$data" >/dev/null 2>&1 || true ;;
	esac
}

has_snapshot=false
if "$bin" nearest --help | grep -q -- --no-snapshot; then
	has_snapshot=true
fi

# flags STATE: sets the array extra to the flags of a run in that state.
flags() {
	extra=()
	if $has_snapshot && [ "$1" = files ]; then
		extra=(--no-snapshot)
	fi
}

nearest() { # prints "wall cpu" of one run
	prepare "$1"
	flags "$1"
	/usr/bin/time -f "%e %U %S" "$bin" nearest "${extra[@]}" --data "$data" --lat 45.19 --lon 5.72 2>&1 >/dev/null |
		tail -1 | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'
}

serve() { # prints the wall seconds until /readyz answers 200
	prepare "$1"
	local start pid
	start=$(date +%s%N)
	flags "$1"
	"$bin" serve "${extra[@]}" --data "$data" --addr "127.0.0.1:$port" >/dev/null 2>&1 &
	pid=$!
	until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)" = 200 ]; do
		sleep 0.01
	done
	echo "$start $(date +%s%N)" | awk '{printf "%.3f\n", ($2 - $1) / 1e9}'
	kill "$pid"
	wait "$pid" 2>/dev/null || true
}

echo "binary $bin, data $data, median of $runs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-9s %14s %14s %14s\n' state nearest_wall_s nearest_cpu_s serve_ready_s
for state in files first snapshot; do
	n=$(for _ in $(seq "$runs"); do nearest "$state"; done)
	s=$(for _ in $(seq "$runs"); do serve "$state"; done)
	printf '%-9s %14s %14s %14s\n' "$state" \
		"$(cut -d' ' -f1 <<<"$n" | median)" "$(cut -d' ' -f2 <<<"$n" | median)" "$(median <<<"$s")"
done
