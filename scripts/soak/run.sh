#!/usr/bin/env bash
# Soak test: builds guichet and the driver, serves the national data on
# loopback without rate limit and with an admin token, runs the driver
# (an open-loop mix of public requests at RATE requests/s for DUR, a data
# reload every RELOAD, memory and goroutines sampled every SAMPLE), then
# stops guichet and prints the driver's summary. Exits non-zero when any
# request failed.
#   GUICHET_OPENDATA=/path/to/data RATE=2000 DUR=10m scripts/soak/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${GUICHET_OPENDATA:?set GUICHET_OPENDATA to the national data directory}"
RATE="${RATE:-1000}" DUR="${DUR:-10m}" RELOAD="${RELOAD:-1m}" SAMPLE="${SAMPLE:-10s}"
PORT="${PORT:-18280}" CONNS="${CONNS:-256}"
token="soak-$RANDOM$RANDOM"
tmp="$(mktemp -d)"
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

go build -o "$tmp/guichet" ./cmd/guichet
go build -o "$tmp/soak" ./scripts/soak

"$tmp/guichet" serve --addr "127.0.0.1:$PORT" --data "$GUICHET_OPENDATA" --rate-limit 0 \
	--admin-token "$token" --log-level warn --log-format json 2>"$tmp/guichet.log" &
pid=$!
for _ in $(seq 300); do
	curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
	sleep 1
done
curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null || { echo "guichet not ready"; tail "$tmp/guichet.log"; exit 1; }

echo "soak: rate=$RATE/s duration=$DUR reload every $RELOAD, sample every $SAMPLE; $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
"$tmp/soak" -url "http://127.0.0.1:$PORT" -pid "$pid" -data "$GUICHET_OPENDATA" -token "$token" \
	-rate "$RATE" -c "$CONNS" -d "$DUR" -reload "$RELOAD" -sample "$SAMPLE" || rc=$?
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "$pid"
wait "$pid" 2>/dev/null || true
pid=""
warns=$(grep -c '"level":"\(WARN\|ERROR\)"' "$tmp/guichet.log" || true)
echo "guichet log lines at warn or error: $warns"
[ "$warns" -eq 0 ] || tail -n 5 "$tmp/guichet.log"
exit "$rc"
