#!/usr/bin/env bash
# Enforces the package layering: only api/ may import Gin; geo/ knows
# nothing of guichet's domain, HTTP or data formats.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
for pkg in $(go list ./...); do
	deps="$(go list -deps "$pkg")"
	case "$pkg" in
	guichet/api | guichet/api/* | guichet/cmd/* | guichet/scripts/*) ;; # scripts are never imported
	*)
		if grep -q '^github.com/gin-gonic/gin$' <<<"$deps"; then
			echo "$pkg imports gin: only guichet/api may"; status=1
		fi
		;;
	esac
	case "$pkg" in
	guichet/geo | guichet/geo/*)
		if grep -Eq '^(guichet/(api|data|cmd)|net/http)(/|$)' <<<"$deps"; then
			echo "$pkg imports the domain or HTTP: geo must stay pure spatial code"; status=1
		fi
		;;
	guichet/data/hours | guichet/data/source)
		if grep -Eq '^(github.com|golang.org)/' <<<"$deps"; then
			echo "$pkg must use the standard library only"; status=1
		fi
		;;
	esac
done
# cmd and scripts may import api, but must not reach into gin themselves.
if grep -rl --include='*.go' '"github.com/gin-gonic/gin"' cmd/ scripts/ 2>/dev/null; then
	echo "cmd or scripts import gin directly"; status=1
fi
exit $status
