#!/usr/bin/env bash
# Compares guichet's /v1/stations/nearest, on the national data, with a
# trivial Gin handler, in the same run: RUNS alternating rounds of DUR each,
# then the medians and guichet's throughput as a fraction of the baseline.
# A third server, "payload", is the same trivial handler answering one of
# guichet's own answers (gzipped once at start for clients that accept
# it): the ceiling for an answer that size, whatever computes it.
# "payload+headers" sends the same answer with the header fields guichet
# sent with it: the ceiling once the headers the API promises are paid.
# CLOSE=true opens one TCP connection per request (Connection: close).
# GZIP=false makes the client refuse gzip (the 300-byte baseline never
# compresses; guichet compresses its ~7 KB answers when the client
# accepts it). AGAINST=<git revision> adds a fourth server, guichet built
# at that revision, to measure a change against its parent in the same
# run. ROUTES="/healthz /v1/stations/gn-1008869" also measures those
# paths of the same guichet server in the same rounds, to tell the cost
# every request pays from the cost of the nearest search and its answer.
# LIMITS="1 3" adds, for each limit, guichet's nearest with that limit and
# a payload server answering guichet's answer at Grenoble with that limit:
# how the ceiling and guichet move with the size of the answer.
# Each round also reports the server's own CPU time (user and system,
# from /proc) per request: the client shares the CPUs, so requests/s mixes
# both sides' costs, and the host's other tenants move it.
#   GUICHET_OPENDATA=../shared/data scripts/load/compare.sh
#   GUICHET_OPENDATA=../shared/data GZIP=false AGAINST=HEAD~3 scripts/load/compare.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${GUICHET_OPENDATA:?set GUICHET_OPENDATA to the national data directory}"
RUNS="${RUNS:-3}" DUR="${DUR:-10s}" CONNS="${CONNS:-8}" GZIP="${GZIP:-true}" CLOSE="${CLOSE:-false}"
tmp="$(mktemp -d)"
pids=()
cleanup() {
	for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
	rm -rf "$tmp"
	git worktree prune
}
trap cleanup EXIT

go build -o "$tmp/guichet" ./cmd/guichet
servers=(guichet:18080 trivial:18090 payload:18091)
if [ -n "${AGAINST:-}" ]; then
	git worktree add --detach "$tmp/against-src" "$AGAINST" >/dev/null
	(cd "$tmp/against-src" && go build -o "$tmp/against" ./cmd/guichet)
	git worktree remove --force "$tmp/against-src"
	servers+=(against:18081)
fi
go build -o "$tmp/trivial" ./scripts/load/trivial
go build -o "$tmp/load" ./scripts/load

# No rate limit: one load generator is one client.
declare -A pid_of
"$tmp/guichet" serve --addr 127.0.0.1:18080 --data "$GUICHET_OPENDATA" --rate-limit 0 --log-format json 2>"$tmp/guichet.log" &
pids+=($!)
pid_of[guichet]=$!
# Each extra route is a server of its own in the rounds, served by guichet.
declare -A path_of
for route in ${ROUTES:-}; do
	servers+=("guichet$route:18080")
	path_of["guichet$route"]=$route
	pid_of["guichet$route"]=${pid_of[guichet]}
done
"$tmp/trivial" --addr 127.0.0.1:18090 &
pids+=($!)
pid_of[trivial]=$!
if [ -n "${AGAINST:-}" ]; then
	"$tmp/against" serve --addr 127.0.0.1:18081 --data "$GUICHET_OPENDATA" --rate-limit 0 --log-format json 2>"$tmp/against.log" &
	pids+=($!)
	pid_of[against]=$!
fi
for port in 18080 ${AGAINST:+18081}; do
	for _ in $(seq 300); do
		curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
		sleep 1
	done
	curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { echo "guichet on $port not ready"; tail "$tmp"/*.log; exit 1; }
done
q='/v1/stations/nearest?lat={lat}&lon={lon}'
# Grenoble: five gendarmerie units, an answer of typical size.
curl -fs -D "$tmp/answer.headers" 'http://127.0.0.1:18080/v1/stations/nearest?lat=45.188&lon=5.724' >"$tmp/answer.json"
echo "payload: guichet's answer at Grenoble, $(wc -c <"$tmp/answer.json") bytes"
"$tmp/trivial" --addr 127.0.0.1:18091 --body "$tmp/answer.json" &
pids+=($!)
pid_of[payload]=$!
echo "payload+headers: the same, with guichet's $(grep -c : "$tmp/answer.headers") header lines instead of 3"
"$tmp/trivial" --addr 127.0.0.1:18092 --body "$tmp/answer.json" --headers "$tmp/answer.headers" &
pids+=($!)
pid_of[payload+headers]=$!
servers+=(payload+headers:18092)
payload_ports=(18091 18092)
for limit in ${LIMITS:-}; do
	curl -fs "http://127.0.0.1:18080/v1/stations/nearest?lat=45.188&lon=5.724&limit=$limit" >"$tmp/answer-$limit.json"
	echo "payload-$limit: guichet's answer at Grenoble with limit=$limit, $(wc -c <"$tmp/answer-$limit.json") bytes"
	port=$((18100 + limit))
	"$tmp/trivial" --addr "127.0.0.1:$port" --body "$tmp/answer-$limit.json" &
	pids+=($!)
	pid_of[payload-$limit]=$!
	payload_ports+=("$port")
	servers+=("payload-$limit:$port" "guichet-$limit:18080")
	path_of[guichet-$limit]="$q&limit=$limit"
	pid_of[guichet-$limit]=${pid_of[guichet]}
done
for port in "${payload_ports[@]}"; do
	for _ in $(seq 50); do
		curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
		sleep 0.1
	done
done

# cpu_ticks PID: user + system clock ticks the process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

for i in $(seq "$RUNS"); do
	for s in "${servers[@]}"; do
		name=${s%%:*}
		pid=${pid_of[$name]}
		before=$(cpu_ticks "$pid")
		out=$("$tmp/load" -url "http://127.0.0.1:${s##*:}${path_of[$name]:-$q}" -c "$CONNS" -d "$DUR" -gzip="$GZIP" -close="$CLOSE" -seed "$i")
		after=$(cpu_ticks "$pid")
		[[ $out =~ requests=([0-9]+) ]] && requests=${BASH_REMATCH[1]} || requests=0
		cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.1f", n ? t / hz / n * 1e6 : 0 }')
		echo "$name $out server_cpu_us=$cpu_us load_avg=$(cut -d" " -f1 /proc/loadavg)" | tee -a "$tmp/results"
	done
done
awk '
function median(arr, n,   i, j, t) {
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (arr[j] < arr[i]) { t = arr[i]; arr[i] = arr[j]; arr[j] = t }
	return n % 2 ? arr[(n + 1) / 2] : (arr[n / 2] + arr[n / 2 + 1]) / 2
}
{
	n[$1]++
	for (f = 2; f <= NF; f++) { split($f, kv, "="); v[$1, kv[1], n[$1]] = kv[2] }
}
END {
	split("rps p50_ms p90_ms p99_ms errors server_cpu_us client_cpu_us", keys, " ")
	for (s in n) {
		line = s " median of " n[s] ":"
		for (k = 1; k <= 7; k++) {
			delete a
			for (i = 1; i <= n[s]; i++) a[i] = v[s, keys[k], i]
			m[s, keys[k]] = median(a, n[s])
			line = line " " keys[k] "=" m[s, keys[k]]
		}
		print line
	}
	printf "ratio guichet/trivial requests/s = %.2f\n", m["guichet", "rps"] / m["trivial", "rps"]
	printf "ratio payload/trivial requests/s = %.2f (the ceiling for answers this size)\n", m["payload", "rps"] / m["trivial", "rps"]
	printf "ratio guichet/payload requests/s = %.2f\n", m["guichet", "rps"] / m["payload", "rps"]
	for (s in n) if (s ~ /^(guichet\/|guichet-|payload-|payload\+)/) printf "ratio %s/trivial requests/s = %.2f\n", s, m[s, "rps"] / m["trivial", "rps"]
	if ("against" in n) {
		printf "ratio against/trivial requests/s = %.2f\n", m["against", "rps"] / m["trivial", "rps"]
		printf "ratio guichet/against requests/s = %.2f (this checkout against AGAINST)\n", m["guichet", "rps"] / m["against", "rps"]
	}
}' "$tmp/results"
