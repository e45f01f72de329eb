#!/usr/bin/env bash
# Rebuilds the widget's map bundle (api/widget/static/map.js, map.css) from
# the pinned Leaflet and fails when it differs from the committed files,
# which the Go binary embeds.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
npm run build
git diff --exit-code -- ../../api/widget/static/map.js ../../api/widget/static/map.css
