// Builds the widget's opt-in map bundle from the pinned Leaflet package:
//
//   cd scripts/widget-map && npm ci && npm run build
//
// writes api/widget/static/map.js (Leaflet's minified build, then the
// glue) and api/widget/static/map.css (Leaflet's style sheet, then the
// pins'). The output is committed because the Go binary embeds it; CI
// rebuilds it and fails when it differs (scripts/widget-map/check.sh).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, "..", "..", "api", "widget", "static");
const leaflet = path.join(here, "node_modules", "leaflet");
const version = JSON.parse(fs.readFileSync(path.join(leaflet, "package.json"), "utf8")).version;
const header = `/* guichet widget map: Leaflet ${version} (BSD-2-Clause, https://leafletjs.com), from npm, built by scripts/widget-map/build.mjs */\n`;

const js = fs.readFileSync(path.join(leaflet, "dist", "leaflet.js"), "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
fs.writeFileSync(path.join(out, "map.js"), header + js + fs.readFileSync(path.join(here, "map-glue.js"), "utf8"));

// The default marker images are not used (numbered pins are HTML), so the
// style sheet's image references are dropped: no request for them.
const css = fs.readFileSync(path.join(leaflet, "dist", "leaflet.css"), "utf8").replace(/url\([^)]*\)/g, "none");
fs.writeFileSync(path.join(out, "map.css"), header + css + fs.readFileSync(path.join(here, "pins.css"), "utf8"));
console.log(`map.js and map.css written from Leaflet ${version}`);
