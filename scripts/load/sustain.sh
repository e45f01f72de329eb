#!/usr/bin/env bash
# Finds the largest rate at which guichet's /v1/stations/nearest, on the
# national data, keeps up on this machine, then measures the latency at
# 70 % of it, the headroom a service runs with:
#   1. closed loop, 1 to 64 connections, STEP each: peak requests/s;
#   2. open loop (latency from the intended send time) at 10 % to 100 % of
#      that peak, STEP each, until a step fails: the sustainable rate is
#      the highest one with no error and a p99 at most P99_MS. The open
#      loop's own client costs more per request than the closed loop's,
#      and shares the CPUs, so the sustainable rate sits well below the peak;
#   3. open loop at 70 % of the sustainable rate for HOLD: its p99.
# GUICHET_BIN=/path/to/guichet runs that binary instead of this checkout's
# (the build before a change, for its before and after).
#   GUICHET_OPENDATA=/path/to/data scripts/load/sustain.sh
#   GUICHET_OPENDATA=/path/to/data GUICHET_BIN=/work/bench/cur/guichet scripts/load/sustain.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${GUICHET_OPENDATA:?set GUICHET_OPENDATA to the national data directory}"
STEP="${STEP:-10s}" HOLD="${HOLD:-60s}" P99_MS="${P99_MS:-50}" PORT="${PORT:-18380}" GZIP="${GZIP:-true}"
tmp="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

if [ -n "${GUICHET_BIN:-}" ]; then
	cp "$GUICHET_BIN" "$tmp/guichet"
else
	go build -o "$tmp/guichet" ./cmd/guichet
fi
go build -o "$tmp/load" ./scripts/load
"$tmp/guichet" serve --addr "127.0.0.1:$PORT" --data "$GUICHET_OPENDATA" --rate-limit 0 --log-level warn 2>"$tmp/guichet.log" &
pid=$!
for _ in $(seq 300); do
	curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "guichet not ready"; tail "$tmp/guichet.log"; exit 1; }

url="http://127.0.0.1:$PORT/v1/stations/nearest?lat={lat}&lon={lon}"
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p"; }
load() { echo "$("$tmp/load" -url "$url" -gzip="$GZIP" "$@") load_avg=$(cut -d' ' -f1 /proc/loadavg)"; }

peak=0
for c in 1 2 4 8 16 32 64; do
	out="$(load -c "$c" -d "$STEP")"
	echo "closed c=$c $out"
	rps="$(field rps <<<"$out")"
	peak="$(awk -v a="$peak" -v b="$rps" 'BEGIN { print (b > a) ? b : a }')"
done
echo "closed-loop peak: $peak requests/s"

best=0
for pct in 10 20 30 40 50 60 70 80 90 100; do
	rate="$(awk -v p="$peak" -v q="$pct" 'BEGIN { printf "%d", p * q / 100 }')"
	out="$(load -rate "$rate" -c 256 -d "$STEP")"
	echo "open rate=$rate ($pct %) $out"
	if [ "$(field errors <<<"$out")" = 0 ] && awk -v p="$(field p99_ms <<<"$out")" -v m="$P99_MS" 'BEGIN { exit !(p <= m) }'; then
		best="$rate"
	else
		break
	fi
done
[ "$best" != 0 ] || { echo "no rate kept p99 <= ${P99_MS} ms"; exit 1; }
echo "sustainable: $best requests/s (no error, p99 <= ${P99_MS} ms over $STEP)"
at70="$(awk -v b="$best" 'BEGIN { printf "%d", b * 0.7 }')"
echo "hold $HOLD at 70 % of sustainable, $at70/s: $(load -rate "$at70" -c 256 -d "$HOLD" -seed 7)"
