#!/usr/bin/env bash
# Reads `go test -bench` output on stdin and prints, per benchmark (name
# without the -N GOMAXPROCS suffix), the number of runs and the median of
# each reported unit (ns/op, B/op, allocs/op and custom metrics).
#   go test ./geo -run '^$' -bench Nearest -count 5 | scripts/load/benchmedian.sh
exec awk '
function median(s,   n, a, i, j, t) {
	n = split(s, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^Benchmark/ && NF >= 4 {
	name = $1; sub(/-[0-9]+$/, "", name)
	if (!(name in runs)) order[++names] = name
	runs[name]++
	for (f = 3; f < NF; f += 2) {
		key = name SUBSEP $(f + 1)
		if (!(key in vals)) units[name] = units[name] " " $(f + 1)
		vals[key] = vals[key] " " $f
	}
}
END {
	for (i = 1; i <= names; i++) {
		name = order[i]
		line = sprintf("%s runs=%d", name, runs[name])
		n = split(units[name], u, " ")
		for (k = 1; k <= n; k++) line = line sprintf(" %s=%g", u[k], median(vals[name SUBSEP u[k]]))
		print line
	}
}'
