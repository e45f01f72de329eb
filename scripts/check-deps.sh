#!/usr/bin/env bash
# Enforces the package layering (non-test files):
#
#   cmd → api → data/batch → data → {data/hours, geo/geocode, geo}
#   cmd → data/load → data;  data/load, data/batch → data/sniff
#   data/load → data/snapshot (the file holding a compiled load)
#   data/fetch, data/hours, data/sniff, data/snapshot: the standard library only
#
# Only api/ may import Gin; geo/ knows nothing of guichet's domain, HTTP or
# data formats; nothing imports cmd; no package but data/load reads a
# source file format. The go command itself refuses import cycles; they
# are reported here too rather than as a confusing list failure.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
fail() {
	echo "$1"
	status=1
}

if cycles="$(go list -e -f '{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}' ./... | grep .)"; then
	fail "packages that do not list cleanly (import cycle?):"$'\n'"$cycles"
fi

# only reports the guichet packages of a list outside the allowed ones.
only() {
	local pkg="$1" what="$2" list="$3" allowed="$4" p
	for p in $list; do
		case "$p" in
		guichet/*) grep -qxE "$allowed" <<<"$p" || fail "$pkg $what $p" ;;
		esac
	done
}

while IFS='|' read -r pkg imports deps; do
	case "$pkg" in
	guichet/api | guichet/api/* | guichet/cmd/* | guichet/scripts/*) ;; # scripts are never imported
	*)
		if grep -qw 'github.com/gin-gonic/gin' <<<"$deps"; then
			fail "$pkg imports gin: only guichet/api may"
		fi
		;;
	esac
	case "$pkg" in
	guichet/cmd/*) ;;
	*)
		if grep -qE '(^| )guichet/cmd(/| |$)' <<<"$deps"; then
			fail "$pkg imports cmd: nothing may"
		fi
		;;
	esac
	# Reading a source format: CSV, GeoJSON or gzip-compressed files. The
	# batch pipeline reads uploaded CSV; api compresses what it serves;
	# scripts are tools.
	formats="encoding/csv compress/gzip github.com/paulmach/orb/geojson"
	case "$pkg" in
	guichet/data/load | guichet/data/batch | guichet/scripts/*) formats="" ;;
	guichet/api | guichet/api/*) formats="encoding/csv github.com/paulmach/orb/geojson" ;;
	esac
	for p in $formats; do
		if grep -qw "$p" <<<"$imports"; then
			fail "$pkg imports $p: source formats are read in guichet/data/load"
		fi
	done
	case "$pkg" in
	guichet/geo | guichet/geo/*)
		if grep -qE '(^| )(guichet/(api|data|cmd)|net/http)(/| |$)' <<<"$deps"; then
			fail "$pkg imports the domain or HTTP: geo must stay pure spatial code"
		fi
		;;
	guichet/data)
		only "$pkg" imports "$imports" 'guichet/(data/hours|geo|geo/geocode)'
		if grep -qw 'encoding/json' <<<"$imports"; then
			fail "$pkg imports encoding/json: data holds no source format (see guichet/data/load)"
		fi
		;;
	guichet/data/load)
		only "$pkg" imports "$imports" 'guichet/(data|data/hours|data/sniff|data/fetch|data/snapshot|geo|geo/geocode)'
		;;
	guichet/data/batch)
		only "$pkg" imports "$imports" 'guichet/(data|data/sniff|geo/geocode)'
		;;
	guichet/data/hours | guichet/data/fetch | guichet/data/sniff | guichet/data/snapshot)
		if grep -qE '(^| )(github\.com|golang\.org|guichet)/' <<<"$deps"; then
			fail "$pkg must use the standard library only"
		fi
		;;
	guichet/api | guichet/api/*)
		if grep -qE '(^| )guichet/data/(load|fetch)( |$)' <<<"$deps"; then
			fail "$pkg imports data/load or data/fetch: cmd loads and fetches, api serves a Dataset"
		fi
		;;
	esac
done < <(go list -f '{{.ImportPath}}|{{join .Imports " "}}|{{join .Deps " "}}' ./...)

# cmd and scripts may import api, but must not reach into gin themselves.
if grep -rl --include='*.go' '"github.com/gin-gonic/gin"' cmd/ scripts/ 2>/dev/null; then
	fail "cmd or scripts import gin directly"
fi
exit $status
