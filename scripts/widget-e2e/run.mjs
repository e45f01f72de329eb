// Browser test of the guichet widget in headless Chromium.
//
//   node scripts/widget-e2e/run.mjs <baseURL> [outdir]
//
// baseURL is a running guichet serving the national data, started with
// --widget-frame-ancestors 'http://127.0.0.1:*' (a partner page served from
// localhost is then one the allowlist refuses). The script prints one line
// per check, the screenshots folder, and a final line "RESULT {json}" that
// the Go test reads; it exits 1 when a check fails.
//
// Screenshots of every state go to outdir; the key ones are compared with
// the references in scripts/widget-e2e/references (UPDATE_REFERENCES=1
// rewrites them; a missing reference fails under CI=true and is created
// otherwise).
import { chromium } from "playwright-core";
import { isValidPhoneNumber } from "libphonenumber-js/max";
import pixelmatch from "pixelmatch";
import { PNG } from "pngjs";
import { createRequire } from "node:module";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const base = (process.argv[2] || "").replace(/\/$/, "");
const outdir = path.resolve(process.argv[3] || "out/widget-screenshots");
const refdir = path.join(here, "references");
if (!base) {
  console.error("usage: node run.mjs <baseURL> [outdir]");
  process.exit(2);
}
fs.mkdirSync(outdir, { recursive: true });
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

// A fixed instant (Monday 2 March 2026, 10:00 in Paris) and points.
const AT = "2026-03-02T10:00:00+01:00";
const ATQ = encodeURIComponent(AT);
const VOIRON = { latitude: 45.364, longitude: 5.590 };
const GRENOBLE = { lat: 45.188, lon: 5.724 };
const LIMIT = 5;
const MAX_FIRST_LOAD = 25 * 1024; // the widget without the map, compressed
const MAX_FIRST_STATION_MS = 1000;
const TIMEOUT = 20000;
const OFFICIAL = /^(tel:(17|112)|sms:114|https:\/\/www\.(service-public\.fr|pre-plainte-en-ligne\.gouv\.fr|internet-signalement\.gouv\.fr)\/)/;

const result = { ok: true, checks: [], conditional: {}, page_weight_bytes: null, map_page_weight_bytes: null, first_station_ms: null, screenshots: outdir };
// The tile server guichet was started with (--widget-tile-url): it may be
// asked for tiles only once the reader opens the map.
const tileOrigin = process.env.TILE_ORIGIN || "";
const MAX_MAP_LOAD = 150 * 1024;

function check(name, cond, detail) {
  result.checks.push({ name, ok: !!cond, detail: detail == null ? "" : String(detail) });
  console.log(`${cond ? "ok  " : "FAIL"} ${name}${detail ? ": " + detail : ""}`);
  if (!cond) result.ok = false;
}

async function api(p) {
  const r = await fetch(base + p, { headers: { Accept: "application/json" } });
  return { status: r.status, body: r.ok ? await r.json() : null };
}

const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--font-render-hinting=none"];
// launch() gives every run a fresh temporary user-data-dir.
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: launchArgs, timeout: 60000 });

const android = {
  viewport: { width: 360, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1,
  userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
};
const iphone = {
  viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1,
  userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
};
const desktop = { viewport: { width: 1280, height: 800 } };
const common = { locale: "fr-FR", timezoneId: "Europe/Paris", reducedMotion: "reduce" };

async function ready(frame) {
  await frame.waitForSelector("html[data-ready=true]", { timeout: TIMEOUT });
}

// items returns the rendered results.
async function items(frame) {
  return frame.$$eval("#gw-results > li", (lis) => lis.map((li) => ({
    id: li.dataset.id,
    state: li.dataset.state,
    distance: Number(li.dataset.distanceM),
    text: li.textContent,
    badge: li.querySelector(".gw-badge")?.textContent ?? "",
    meta: li.querySelector(".gw-meta")?.textContent ?? "",
    competent: !!li.querySelector(".gw-competent:not([hidden])"),
    tel: li.querySelector('a[href^="tel:"]')?.getAttribute("href") ?? null,
    links: [...li.querySelectorAll("a")].map((a) => a.getAttribute("href")),
  })));
}

// neverOpen: stations closed with no change ahead receive no public and
// are not places to go.
const neverOpen = (s) => s.hours?.status?.state === "closed" && s.hours.status.next_change == null;

// expectStations compares the widget's list with the API's answer for the
// same point and instant.
async function expectStations(label, got, lat, lon, at = AT) {
  const want = await api(`/v1/stations/nearest?lat=${lat}&lon=${lon}&limit=${LIMIT * 3 + 5}&at=${encodeURIComponent(at)}`);
  check(`${label}: API answers`, want.status === 200, `status ${want.status}`);
  const ws = (want.body?.stations ?? []).filter((s) => !neverOpen(s)).slice(0, LIMIT);
  check(`${label}: ${LIMIT} stations listed`, got.length === LIMIT && ws.length === LIMIT, `got ${got.length}, API ${ws.length}`);
  check(`${label}: same stations, same order as the API`, JSON.stringify(got.map((s) => s.id)) === JSON.stringify(ws.map((s) => s.id)),
    got.map((s) => s.id).join(","));
  check(`${label}: sorted by distance`, got.every((s, i) => i === 0 || s.distance >= got[i - 1].distance), got.map((s) => s.distance).join(","));
  const wantStates = ws.map((s) => s.hours?.status?.state ?? "unknown");
  check(`${label}: badges match the API at ${at}`, JSON.stringify(got.map((s) => s.state)) === JSON.stringify(wantStates), got.map((s) => s.state).join(","));
  ws.forEach((s, i) => {
    const st = s.hours?.status, g = got[i];
    if (!g || !st?.next_change) return;
    const hm = st.next_change.slice(11, 16); // the station's own wall clock
    check(`${label}: "${g.badge}" gives ${s.id}'s next change at ${hm}, its local time`, g.badge.includes(`à ${hm}`) || g.badge.includes(`at ${hm}`));
  });
  return ws;
}

const allowedOrigins = new Set([new URL(base).origin]);
const thirdParty = [], earlyTiles = [];
let mapOpened = false;
function watchRequests(ctx) {
  ctx.on("request", (r) => {
    const u = new URL(r.url());
    if (["data:", "blob:"].includes(u.protocol) || allowedOrigins.has(u.origin)) return;
    if (u.origin === tileOrigin) { if (!mapOpened) earlyTiles.push(r.url()); return; }
    thirdParty.push(r.url());
  });
}

// geoCalls counts the page's calls to the geolocation API.
async function countGeolocation(ctx) {
  await ctx.addInitScript(() => {
    window.__geoCalls = 0;
    const g = navigator.geolocation;
    if (!g) return;
    const orig = g.getCurrentPosition.bind(g), origWatch = g.watchPosition.bind(g);
    g.getCurrentPosition = (...a) => { window.__geoCalls++; return orig(...a); };
    g.watchPosition = (...a) => { window.__geoCalls++; return origWatch(...a); };
  });
}

// axe runs axe-core in the frame and fails on any violation.
async function axe(label, frame) {
  const v = await frame.evaluate(async (src) => {
    if (!window.axe) (0, eval)(src);
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((x) => `${x.id} (${x.nodes.length}: ${x.nodes.slice(0, 2).map((n) => n.target.join(" ")).join(", ")})`);
  }, axeSource).catch((e) => [`axe did not run: ${e.message}`]);
  check(`axe: ${label}: 0 violations`, v.length === 0, v.join("; "));
}

// contrastIssues measures the WCAG contrast of every visible text in the page.
async function contrastIssues(frame) {
  return frame.evaluate(() => {
    function rgb(s) { const m = s.match(/[\d.]+/g).map(Number); return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 }; }
    function lum(c) { return [c.r, c.g, c.b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }).reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0); }
    function bg(el) { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; }
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !el.getClientRects().length || el.closest("svg,.gw-vh,noscript")) continue;
      const fg = rgb(getComputedStyle(el).color), b = bg(el);
      const [l1, l2] = [lum(fg), lum(b)].sort((x, y) => y - x);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      if (ratio < 4.5) out.push(`${n.textContent.trim().slice(0, 30)} ${ratio.toFixed(2)}`);
    }
    return out;
  });
}

// backgroundLuminance is the relative luminance of the frame's page background.
async function backgroundLuminance(frame) {
  return frame.evaluate(() => {
    const m = getComputedStyle(document.body).backgroundColor.match(/[\d.]+/g).map(Number);
    return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255;
  });
}

// shot saves a screenshot; with compare, it is also checked against its
// committed reference: at most 2 % of the pixels may differ (fonts and
// anti-aliasing vary between machines; a moved block or a colour change
// does not pass).
async function shot(page, name, { compare = false, fullPage = true } = {}) {
  const file = path.join(outdir, name + ".png");
  await page.screenshot({ path: file, fullPage, animations: "disabled", caret: "hide" });
  if (!compare) return;
  const ref = path.join(refdir, name + ".png");
  if (process.env.UPDATE_REFERENCES === "1" || (!fs.existsSync(ref) && process.env.CI !== "true")) {
    fs.mkdirSync(refdir, { recursive: true });
    fs.copyFileSync(file, ref);
    check(`screenshot ${name}: reference written (nothing compared)`, true);
    result.conditional[`reference ${name}`] = "written";
    return;
  }
  if (!fs.existsSync(ref)) { check(`screenshot ${name}: reference exists`, false, ref); return; }
  const a = PNG.sync.read(fs.readFileSync(ref)), b = PNG.sync.read(fs.readFileSync(file));
  if (a.width !== b.width || Math.abs(a.height - b.height) > 0.02 * a.height) {
    check(`screenshot ${name}: same size as the reference`, false, `${b.width}×${b.height}, reference ${a.width}×${a.height}`);
    return;
  }
  const h = Math.min(a.height, b.height);
  const crop = (img) => ({ data: img.data.subarray(0, img.width * h * 4) });
  const diff = new PNG({ width: a.width, height: h });
  const n = pixelmatch(crop(a).data, crop(b).data, diff.data, a.width, h, { threshold: 0.2 }) + Math.abs(a.height - b.height) * a.width;
  const ratio = n / (a.width * Math.max(a.height, b.height));
  if (ratio > 0.02) fs.writeFileSync(path.join(outdir, name + ".diff.png"), PNG.sync.write(diff));
  check(`screenshot ${name}: matches the reference`, ratio <= 0.02, `${(ratio * 100).toFixed(2)} % of pixels differ`);
}

async function typeAndWait(frame, text, page = frame) {
  await frame.fill("#gw-q", "");
  await frame.focus("#gw-q");
  await page.keyboard.type(text, { delay: 30 });
  await frame.waitForSelector("#gw-suggestions:not([hidden]) [role=option]", { timeout: TIMEOUT });
  return frame.$$eval("#gw-suggestions [role=option]", (o) => o.map((x) => x.textContent));
}

// The partner site: /page?bg=light|dark&attr=value… builds a page that
// embeds the widget with the one-line script and these data-* attributes.
const host = http.createServer((req, res) => {
  const u = new URL(req.url, "http://x");
  const dark = u.searchParams.get("bg") === "dark";
  const attrs = [...u.searchParams].filter(([k]) => k !== "bg").map(([k, v]) => ` data-${k}="${v.replace(/"/g, "&quot;")}"`).join("");
  res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
  res.end(`<!doctype html><html lang="fr"${dark ? ' style="color-scheme:dark"' : ""}><head><meta charset="utf-8"><title>Mairie</title></head>
<body style="font-family:sans-serif;margin:16px;${dark ? "background:#121212;color:#eee" : "background:#fff;color:#111"}">
<h1>Site partenaire</h1><p>Texte avant le widget.</p>
<script src="${base}/widget.js"${attrs} async></script>
<p id="after">Texte après le widget.</p></body></html>`);
});
await new Promise((r) => host.listen(0, "127.0.0.1", r));
const hostURL = `http://127.0.0.1:${host.address().port}`;
const refusedHostURL = `http://localhost:${host.address().port}`; // not in the allowlist
allowedOrigins.add(hostURL);
allowedOrigins.add(refusedHostURL);

// Each scenario runs on its own: an exception fails it and the next runs,
// so that one broken path does not hide the others.
let openContexts = [];
async function newContext(opts) {
  const c = await browser.newContext(opts);
  openContexts.push(c);
  return c;
}
// ONLY=<name> runs one scenario, for work on it; the Go test never sets it
// and checks that every scenario ran.
async function scenario(name, fn) {
  if (process.env.ONLY && process.env.ONLY !== name) return;
  try {
    await fn();
  } catch (err) {
    check(`${name}: ran to the end`, false, String((err && err.message) || err).split("\n")[0]);
  } finally {
    for (const c of openContexts) await c.close().catch(() => {});
    openContexts = [];
  }
}

try {
  // grantedPage opens the widget with the position granted in Voiron and
  // clicks "Utiliser ma position".
  async function grantedPage() {
    const ctx = await newContext({ ...desktop, ...common, geolocation: VOIRON, permissions: ["geolocation"], colorScheme: "light" });
    watchRequests(ctx);
    await countGeolocation(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?at=${ATQ}`);
    await ready(page);
    await page.click("#gw-locate");
    await page.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
    await ready(page);
    return page;
  }

  // (A) Desktop, location granted: nothing asked before a click; then the
  // list, the search beside it, details, the open-now toggle, the visit's
  // memory.
  await scenario("desktop, location granted", async () => {
    const ctx = await newContext({ ...desktop, ...common, geolocation: VOIRON, permissions: ["geolocation"], colorScheme: "light" });
    watchRequests(ctx);
    await countGeolocation(ctx);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    const sizes = new Map();
    cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
    const resp = await page.goto(`${base}/widget?at=${ATQ}`);
    check("granted: page answers 200", resp.status() === 200, String(resp.status()));
    await ready(page);
    await page.waitForTimeout(500);
    const firstLoad = [...sizes.values()].reduce((a, b) => a + b, 0);
    result.page_weight_bytes = firstLoad;
    check(`first load without the map ≤ ${MAX_FIRST_LOAD} bytes`, firstLoad > 0 && firstLoad <= MAX_FIRST_LOAD, `${firstLoad} bytes in ${sizes.size} responses`);
    check("defect 4: no location request before a click", (await page.evaluate(() => window.__geoCalls)) === 0, `${await page.evaluate(() => window.__geoCalls)} calls`);
    check("idle: the search box is shown at once", await page.isVisible("#gw-q"));
    await axe("idle", page);
    await shot(page, "desktop-idle-1280x800", { compare: true });

    await page.click("#gw-locate");
    await page.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
    await ready(page);
    check("defect 4: one location request, on the click", (await page.evaluate(() => window.__geoCalls)) === 1);
    const got = await items(page);
    await expectStations("geolocation", got, VOIRON.latitude, VOIRON.longitude);
    check("geolocation: distances in French format", got.every((s) => /à \d+(,\d)?\u00a0(m|km)/.test(s.meta)), got.map((s) => s.meta).join(" | "));
    check("geolocation: status announces the results", /5 lieux d’accueil près de votre position/.test(await page.textContent("#gw-status")), await page.textContent("#gw-status"));
    check("itinerary: a Google Maps directions link on desktop, no geo:", got.every((s) => s.links.some((h) => h.startsWith("https://www.google.com/maps/dir/?api=1&destination=")) && !s.links.some((h) => h.startsWith("geo:"))), got[0]?.links.join(" "));
    const jur = await api(`/v1/jurisdiction?lat=${VOIRON.latitude}&lon=${VOIRON.longitude}`);
    check("geolocation: /v1/jurisdiction answers", jur.status === 200, `status ${jur.status}`);
    const jurText = await page.textContent("#gw-jurisdiction");
    check("geolocation: competent force named", jurText.includes(jur.body?.commune?.name ?? "?"), jurText);
    // Voiron's competent police service has no station in the data: the
    // widget must say so, with what to do instead.
    const stationless = (jur.body?.no_station ?? []).map((n) => n.force);
    check("geolocation: the API names a competent force without a station here", stationless.length > 0, JSON.stringify(jur.body?.no_station ?? null));
    const said = await page.$$eval("#gw-jurisdiction .gw-no-station", (ps) => ps.map((p) => p.textContent + " " + [...p.querySelectorAll("a")].map((a) => a.href).join(" ")));
    check("geolocation: a competent force without a station is said, with 17 and the pre-complaint", said.length === stationless.length && said.every((t) => t.includes("17") && t.includes("pre-plainte-en-ligne.gouv.fr")), said.join(" | "));
    check("light theme: text contrast ≥ 4.5:1", (await contrastIssues(page)).length === 0, (await contrastIssues(page)).join("; "));
    await axe("results", page);
    await shot(page, "desktop-results-1280x800", { compare: true });

    // Keyboard only: Tab reaches every result, with a visible focus.
    await page.mouse.move(0, 0);
    await page.evaluate(() => document.activeElement?.blur());
    const reached = new Set();
    let visible = true;
    for (let i = 0; i < 80 && reached.size < LIMIT; i++) {
      await page.keyboard.press("Tab");
      const f = await page.evaluate(() => {
        const a = document.activeElement;
        if (!a || !a.matches("#gw-results > li")) return null;
        const s = getComputedStyle(a);
        return { id: a.dataset.id, outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 };
      });
      if (f) { reached.add(f.id); visible &&= f.outline; }
    }
    check("keyboard: Tab reaches every result", reached.size === LIMIT, `${reached.size} of ${LIMIT}`);
    check("keyboard: focused results have a visible outline", visible);

  });

  // Keyboard only, from the top of the page: search, choose, open a
  // station's week, switch the open-now filter.
  await scenario("keyboard only", async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?at=${ATQ}`);
    await ready(page);
    // focus returns the id or class of the focused element.
    const focus = () => page.evaluate(() => { const a = document.activeElement; return a ? a.id || a.className : ""; });
    await page.keyboard.press("Tab");
    check("keyboard only: the first Tab reaches the search box", (await focus()) === "gw-q", await focus());
    await page.keyboard.type("Voiron", { delay: 30 });
    await page.waitForSelector("#gw-suggestions:not([hidden]) [role=option]", { timeout: TIMEOUT });
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
    await ready(page);
    let reached = false;
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = (await focus()) === "gw-more";
    }
    check("keyboard only: Tab reaches the first station's week button", reached);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#gw-results > li:first-child table.gw-week", { timeout: TIMEOUT }).catch(() => {});
    check("keyboard only: Enter opens the week", await page.isVisible("#gw-results > li:first-child table.gw-week"));
    await page.focus("#gw-q");
    let onToggle = false;
    for (let i = 0; i < 10 && !onToggle; i++) {
      await page.keyboard.press("Tab");
      onToggle = (await focus()) === "gw-open";
    }
    await page.keyboard.press("Space");
    await page.waitForTimeout(50);
    await ready(page);
    const got = await items(page);
    check("keyboard only: Space on the toggle keeps open stations only", onToggle && got.length > 0 && got.every((x) => x.state === "open"), `${onToggle} ${got.map((x) => x.state).join(",")}`);
  });

  // Details: the week from today in the station's zone.
  await scenario("details", async () => {
    const page = await grantedPage();
    await page.click("#gw-results > li:first-child .gw-more");
    await page.waitForSelector("#gw-results > li:first-child table.gw-week", { timeout: TIMEOUT });
    await ready(page);
    const week = await page.$$eval("#gw-results > li:first-child table.gw-week tbody tr", (rows) => rows.map((r) => ({ date: r.dataset.date, current: r.getAttribute("aria-current"), text: r.textContent })));
    check("details: 7 days from today, today marked", week.length === 7 && week[0].date === "2026-03-02" && week[0].current === "date" && week.slice(1).every((r) => !r.current),
      week.map((r) => `${r.date}${r.current ? "*" : ""}`).join(" "));
    check("details: the expander says it is open", (await page.getAttribute("#gw-results > li:first-child .gw-more", "aria-expanded")) === "true");
    await axe("details", page);
    await shot(page, "desktop-details-1280x800");

  });

  // Search stays available once located (defect 3).
  await scenario("defect 3", async () => {
    const page = await grantedPage();
    check("defect 3: search available with location granted", await page.isVisible("#gw-q") && await page.isEnabled("#gw-q"));
    const labels = await typeAndWait(page, "Grenoble");
    check("defect 3: Grenoble suggested", labels.some((l) => /^Grenoble\b/.test(l)), labels.join(" | "));
    await axe("suggestions", page);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForFunction((g) => { const l = document.getElementById("gw-results"); return Math.abs(l.dataset.lat - g.lat) < 0.1 && Math.abs(l.dataset.lon - g.lon) < 0.1; }, GRENOBLE, { timeout: TIMEOUT }).catch(() => {});
    await ready(page);
    const lat = Number(await page.getAttribute("#gw-results", "data-lat")), lon = Number(await page.getAttribute("#gw-results", "data-lon"));
    check("defect 3: results move to the searched place", Math.hypot((lat - GRENOBLE.lat) * 111, (lon - GRENOBLE.lon) * 78) < 10, `${lat},${lon}`);
    check("defect 3: status names the place", (await page.textContent("#gw-status")).includes("Grenoble"), await page.textContent("#gw-status"));

  });

  // The open-now toggle, and the visit's memory of the last place.
  await scenario("open now and memory", async () => {
    const page = await grantedPage();
    const labels = await typeAndWait(page, "Grenoble");
    await page.keyboard.press("Enter");
    await page.waitForFunction((g) => Math.abs(document.getElementById("gw-results").dataset.lat - g.lat) < 0.1, GRENOBLE, { timeout: TIMEOUT });
    await ready(page);
    const lat = Number(await page.getAttribute("#gw-results", "data-lat"));
    await page.check("#gw-open");
    await page.waitForTimeout(50);
    await ready(page);
    const opened = await items(page);
    check("open now: only open stations, up to the limit", opened.length > 0 && opened.length <= LIMIT && opened.every((s) => s.state === "open"), opened.map((s) => `${s.id}:${s.state}`).join(","));
    await page.uncheck("#gw-open");
    await page.waitForTimeout(50);
    await ready(page);

    // The last choice is remembered for the visit.
    await page.reload();
    await ready(page);
    await page.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
    const rlat = Number(await page.getAttribute("#gw-results", "data-lat"));
    check("visit memory: the last place is shown again after a reload, without asking the position", Math.abs(rlat - lat) < 1e-6 && (await page.evaluate(() => window.__geoCalls)) === 0, `${rlat} vs ${lat}`);
  });

  // Holidays in the week, and the competent unit marked.
  await scenario("holidays and competent unit", async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    // Voreppe, gendarmerie zone; 1 May is a public holiday.
    await page.goto(`${base}/widget?lat=45.29&lon=5.63&at=${encodeURIComponent("2026-04-30T10:00:00+02:00")}`);
    await ready(page);
    const jur = await api(`/v1/jurisdiction?lat=45.29&lon=5.63`);
    const competentIds = (jur.body?.competent ?? []).map((c) => c.station?.id ?? c.station_id).filter(Boolean);
    const got = await items(page);
    const listed = got.filter((s) => competentIds.includes(s.id));
    check("competent unit: the API names a competent station near Voreppe", listed.length > 0, competentIds.join(","));
    check("competent unit: marked in the list, and only it", got.every((s) => s.competent === competentIds.includes(s.id)), got.map((s) => `${s.id}:${s.competent}`).join(","));
    await page.click("#gw-results > li:first-child .gw-more");
    await page.waitForSelector("#gw-results > li:first-child table.gw-week", { timeout: TIMEOUT });
    const rows = await page.$$eval("#gw-results > li:first-child table.gw-week tbody tr", (r) => r.map((x) => ({ date: x.dataset.date, text: x.textContent })));
    const may1 = rows.find((r) => r.date === "2026-05-01");
    check("details: 1 May noted as a public holiday", may1 && /jour férié : Fête du Travail/.test(may1.text), may1?.text);
    check("details: other days carry no holiday", rows.filter((r) => r.date !== "2026-05-01").every((r) => !/férié/.test(r.text)), rows.map((r) => r.text).join(" | "));
  });

  // (B) Android phone 360×640, location denied.
  await scenario("phone, location denied", async () => {
    const ctx = await newContext({ ...android, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?at=${ATQ}`);
    await ready(page);
    const labels = await typeAndWait(page, "Voiron");
    const idx = labels.findIndex((l) => /^Voiron\b/.test(l));
    check("denied: Voiron is suggested", idx >= 0, labels.join(" | "));
    for (let i = 0; i <= idx; i++) await page.keyboard.press("ArrowDown");
    check("denied: the highlighted option is the active descendant", (await page.getAttribute("#gw-q", "aria-activedescendant")) === `gw-opt-${Math.max(idx, 0)}`);
    await page.keyboard.press("Enter");
    await page.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
    await ready(page);
    const lat = await page.getAttribute("#gw-results", "data-lat"), lon = await page.getAttribute("#gw-results", "data-lon");
    const got = await items(page);
    await expectStations("denied", got, lat, lon);
    check("denied: the chosen place is Voiron", Math.hypot((lat - VOIRON.latitude) * 111, (lon - VOIRON.longitude) * 78) < 5, `${lat},${lon}`);
    check("itinerary: Android gets the Google Maps directions link, no geo:", got.every((s) => s.links.some((h) => h.startsWith("https://www.google.com/maps/dir/")) && !s.links.some((h) => /^geo:/.test(h))), got[0]?.links.join(" "));
    check("phone: no horizontal scroll at 360 px", (await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)) <= 0);
    await axe("phone results", page);
    await shot(page, "phone-results-360x640", { compare: true });

    // Defect 7: "Utiliser ma position" while denied keeps a status that
    // matches the list below it.
    await page.click("#gw-locate");
    await page.waitForFunction(() => !/Recherche de votre position/.test(document.getElementById("gw-status").textContent), null, { timeout: TIMEOUT });
    await ready(page);
    const status = await page.textContent("#gw-status");
    const still = (await items(page)).length;
    check("defect 7: after a refused location, the status says the list still shows Voiron", still === LIMIT && /Position non disponible/.test(status) && status.includes("Voiron"), `${still} results; status "${status}"`);
    await shot(page, "phone-denied-after-search-360x640");
  });

  // iPhone: Apple Plans beside the Google link.
  await scenario("iPhone", async () => {
    const ctx = await newContext({ ...iphone, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`);
    await ready(page);
    const got = await items(page);
    check("itinerary: iOS gets Google Maps and Apple Plans links, no geo:", got.length > 0 && got.every((s) => s.links.some((h) => h.startsWith("https://maps.apple.com/?daddr=")) && s.links.some((h) => h.startsWith("https://www.google.com/maps/dir/")) && !s.links.some((h) => /^geo:/.test(h))), got[0]?.links.join(" "));
  });

  // (C) Defect 2: a failed geocode is retried, said plainly, and never
  // switches the search to coordinate-less communes.
  await scenario("defect 2", async () => {
    const ctx = await newContext({ ...android, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    const communes = [];
    page.on("request", (r) => { if (new URL(r.url()).pathname.endsWith("/v1/communes")) communes.push(r.url()); });
    let failures = 1;
    await page.route("**/v1/geocode?**", (route) => (failures-- > 0 ? route.fulfill({ status: 503, contentType: "application/problem+json", body: '{"status":503}' }) : route.continue()));
    await page.goto(`${base}/widget?at=${ATQ}`);
    await ready(page);
    let labels = await typeAndWait(page, "Voiron").catch(() => []);
    check("defect 2: one 503 is retried and Voiron is suggested", labels.some((l) => /^Voiron\b/.test(l)), labels.join(" | "));
    await page.unroute("**/v1/geocode?**");
    await page.route("**/v1/geocode?**", (route) => route.fulfill({ status: 503, headers: { "Retry-After": "1" }, contentType: "application/problem+json", body: '{"status":503}' }));
    await page.fill("#gw-q", "");
    await page.keyboard.type("Grenoble", { delay: 20 });
    await page.waitForFunction(() => /ne répond pas/.test(document.getElementById("gw-status").textContent), null, { timeout: TIMEOUT }).catch(() => {});
    const status = await page.textContent("#gw-status");
    check("defect 2: a lasting failure is said plainly", /La recherche d’adresse ne répond pas/.test(status), status);
    await axe("search down", page);
    await page.unroute("**/v1/geocode?**");
    labels = await typeAndWait(page, "Grenoble").catch(() => []);
    check("defect 2: search works again once the service answers", labels.some((l) => /^Grenoble\b/.test(l)), labels.join(" | "));
    check("defect 2: never falls back to /v1/communes", communes.length === 0, communes.join(" "));
  });

  // Defect 7: "Saint-Et" suggests Saint-Étienne.
  await scenario("defect 7 Saint-Et", async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?at=${ATQ}`);
    await ready(page);
    const labels = await typeAndWait(page, "Saint-Et").catch(() => []);
    check("defect 7: \"Saint-Et\" suggests Saint-Étienne", labels.some((l) => /^Saint-Étienne \(42/.test(l)), labels.join(" | "));
  });

  // Defect 7: units with no public desk are not listed among places to go.
  await scenario("defect 7 no public desk", async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    const p = { lat: 43.33252, lon: 6.31016 }; // Gonfaron (Var)
    const near = await api(`/v1/stations/nearest?lat=${p.lat}&lon=${p.lon}&limit=20&at=${ATQ}`);
    const closedForGood = (near.body?.stations ?? []).filter(neverOpen).map((s) => s.id);
    check("defect 7: the data has a unit with no public desk near Gonfaron", closedForGood.length > 0, closedForGood.join(","));
    await page.goto(`${base}/widget?lat=${p.lat}&lon=${p.lon}&limit=10&at=${ATQ}`);
    await ready(page);
    const got = await items(page);
    check("defect 7: units with no public desk are not listed", got.length === 10 && got.every((s) => !closedForGood.includes(s.id)), got.map((s) => s.id).join(","));
  });

  // Defect 5: truncated overseas numbers are never linked; every number
  // offered to call is valid (libphonenumber-js, an oracle independent of
  // the server's Go library).
  await scenario("defect 5", async () => {
    const list = await api(`/v1/stations?departement=971&per_page=100&fields=*`);
    const bad = (list.body?.stations ?? []).filter((s) => { const t = s.phone_text ?? s.phone; return t && !isValidPhoneNumber(t, "GP"); });
    check("defect 5: the data has truncated numbers in Guadeloupe", bad.length > 0, `${bad.length} of ${list.body?.stations?.length}`);
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    const s = bad[0];
    await page.goto(`${base}/widget?lat=${s.location.lat}&lon=${s.location.lon}&limit=20&at=${ATQ}`);
    await ready(page);
    const got = await items(page);
    const tels = got.map((g) => g.tel).filter(Boolean);
    const own = got.find((g) => g.id === s.id);
    check("defect 5: the station with a truncated number is listed without a tel: link", own && own.tel === null, own?.tel);
    check("defect 5: its published number is still shown as text", own && own.text.includes(s.phone_text ?? s.phone), own?.text);
    check("defect 5: every tel: link is a valid E.164 number", tels.length > 0 && tels.every((t) => /^tel:\+\d+$/.test(t) && isValidPhoneNumber(t.slice(4))), tels.join(" "));
  });

  // Overseas time zones: a reader in Paris looks at Nouméa and Guadeloupe.
  for (const [name, p, at, day] of [
    ["Nouméa", { lat: -22.2758, lon: 166.458 }, "2026-03-02T16:00:00+01:00", "2026-03-03"],
    ["Guadeloupe", { lat: 16.2411, lon: -61.5331 }, "2026-03-02T16:00:00+01:00", "2026-03-02"],
  ]) await scenario(`time zone ${name}`, async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?lat=${p.lat}&lon=${p.lon}&at=${encodeURIComponent(at)}`);
    await ready(page);
    const got = await items(page);
    await expectStations(name, got, p.lat, p.lon, at);
    await page.click("#gw-results > li:first-child .gw-more");
    await page.waitForSelector("#gw-results > li:first-child table.gw-week", { timeout: TIMEOUT });
    const today = await page.$eval("#gw-results > li:first-child table.gw-week tr[aria-current=date]", (r) => r.dataset.date);
    check(`${name}: today is the station's date (${day}), not the reader's`, today === day, today);
    await shot(page, `desktop-${name.toLowerCase().replace(/[^a-z]/g, "")}-details`);
  });

  // (D) API down: said plainly, with the official alternatives.
  for (const lang of ["fr", "en"]) await scenario(`API down (${lang})`, async () => {
    const ctx = await newContext({ ...android, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.route(/\/v1\/(stations|jurisdiction)/, (route) => route.fulfill({ status: 503, contentType: "application/problem+json", body: '{"status":503}' }));
    await page.goto(`${base}/widget?lang=${lang}&lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`);
    await ready(page);
    const status = await page.textContent("#gw-status");
    check(`API down (${lang}): status says the service does not answer`, lang === "fr" ? /Le service ne répond pas/.test(status) : /not answering/.test(status), status);
    const help = await page.$eval("#gw-help", (d) => ({ open: d.open, summary: d.querySelector("summary").textContent, links: [...d.querySelectorAll("a")].map((a) => a.getAttribute("href")), text: d.textContent }));
    check(`API down (${lang}): "${help.summary}" is open`, help.open && help.summary === (lang === "fr" ? "Que faire ?" : "What can I do?"), help.summary);
    const want = ["tel:17", "tel:112", "sms:114", "pre-plainte-en-ligne.gouv.fr", "internet-signalement.gouv.fr", "P10100", "R46526"];
    check(`API down (${lang}): 17, 112, 114 by SMS, pré-plainte, Pharos, THESEE, Perceval`, want.every((w) => help.links.some((h) => h.includes(w))) && /THESEE/.test(help.text) && /Perceval/.test(help.text) && /Pharos/.test(help.text), help.links.join(" "));
    check(`API down (${lang}): official links only`, help.links.every((h) => OFFICIAL.test(h)), help.links.join(" "));
    await axe(`API down (${lang})`, page);
    await shot(page, `phone-api-down-${lang}-360x640`, { compare: lang === "fr" });
  });

  // "Que faire ?" opens when nothing listed is open (brigades at night),
  // and stays closed when a desk is open.
  for (const [at, wantOpen] of [["2026-03-02T03:00:00+01:00", true], ["2026-03-02T10:00:00+01:00", false]]) await scenario(`help at ${at}`, async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?force=gendarmerie&lat=45.29&lon=5.63&limit=3&at=${encodeURIComponent(at)}`);
    await ready(page);
    const got = await items(page);
    const help = await page.$eval("#gw-help", (d) => ({ open: d.open, lead: d.querySelector("#gw-help-lead").textContent }));
    const anyOpen = got.some((s) => s.state === "open");
    check(`help at ${at}: open exactly when no listed station is open`, got.length === 3 && anyOpen === !wantOpen && help.open === wantOpen, `${got.filter((s) => s.state === "open").length} of ${got.length} open, help open ${help.open}`);
    if (wantOpen) {
      check("help: says plainly that nothing is open", /Aucun lieu d’accueil ouvert en ce moment/.test(help.lead), help.lead);
      await axe("help open", page);
      await shot(page, "desktop-help-night");
    }
  });

  // Dark theme asked by the partner: contrast and axe.
  await scenario("dark theme", async () => {
    const ctx = await newContext({ ...desktop, ...common, colorScheme: "dark" });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?theme=dark&lang=en&lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`);
    await ready(page);
    const en = await items(page);
    const enStatus = await page.textContent("#gw-status");
    check("English: status and badges are translated", enStatus === "5 stations near this point." &&
      en.every((s) => /^(Open · closes (\S+ )?at \d\d:\d\d|Closed( · opens (\S+ )?(on \S+ \d+ )?at \d\d:\d\d)?|Hours unknown)$/.test(s.badge)),
      `${enStatus} | ${en.map((s) => s.badge).join(" | ")}`);
    const darkIssues = await contrastIssues(page);
    check("dark theme: text contrast ≥ 4.5:1", darkIssues.length === 0, darkIssues.join("; "));
    await axe("dark theme", page);
    await shot(page, "desktop-dark-1280x800", { compare: true });
  });

  // (E) Embedded with the one-line script in a partner page.
  await scenario("embedded, light partner page", async () => {
    // The reader's system is dark; the partner page is white: the widget
    // follows the page (defect 7).
    const ctx = await newContext({ ...desktop, ...common, colorScheme: "dark" });
    watchRequests(ctx);
    const page = await ctx.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(`${hostURL}/page?bg=light&at=${ATQ}`);
    const iframe = await page.waitForSelector("iframe", { timeout: TIMEOUT });
    const src = await iframe.getAttribute("src");
    check("iframe: same origin as the script", new URL(src).origin === new URL(base).origin, src);
    check("iframe: has a title", !!(await iframe.getAttribute("title")));
    check("iframe: allows geolocation", (await iframe.getAttribute("allow")) === "geolocation");
    const frame = await iframe.contentFrame();
    await ready(frame);
    check("defect 7: auto theme on a white page is light, though the system is dark", (await backgroundLuminance(frame)) > 0.8, `luminance ${(await backgroundLuminance(frame)).toFixed(2)}`);
    await axe("embedded idle", frame);

    // Defect 1: the iframe grows with the suggestion list.
    await typeAndWait(frame, "Greno", page);
    await page.waitForTimeout(400);
    const frameH = await iframe.evaluate((f) => f.clientHeight);
    const bottoms = await frame.$$eval("#gw-suggestions, #gw-suggestions [role=option]", (els) => els.map((e) => Math.ceil(e.getBoundingClientRect().bottom + scrollY)));
    check("defect 1: every suggestion is inside the iframe", bottoms.length > 1 && bottoms.every((b) => b <= frameH), `iframe ${frameH}px, list and options end at ${bottoms.join(",")}px`);
    await shot(page, "embedded-suggestions-1280x800", { compare: true });
    await frame.press("#gw-q", "ArrowDown");
    await frame.press("#gw-q", "Enter");
    await frame.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
    await ready(frame);
    await page.waitForTimeout(400);
    const h1 = parseFloat(await iframe.evaluate((f) => f.style.height));
    const contentH = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    check("iframe: sized to its content by postMessage", Math.abs(h1 - contentH) <= 2, `iframe ${h1}px, content ${contentH}px`);
    check("embedded: no console error", errors.length === 0, errors.join(" | "));
    await shot(page, "embedded-1280x800");
  });
  await scenario("embedded, dark partner page", async () => {
    const ctx = await newContext({ ...desktop, ...common, colorScheme: "light" });
    watchRequests(ctx);
    const page = await ctx.newPage();
    await page.goto(`${hostURL}/page?bg=dark&lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`);
    const frame = await (await page.waitForSelector("iframe", { timeout: TIMEOUT })).contentFrame();
    await ready(frame);
    check("auto theme on a dark page is dark, though the system is light", (await backgroundLuminance(frame)) < 0.2, `luminance ${(await backgroundLuminance(frame)).toFixed(2)}`);
    const issues = await contrastIssues(frame);
    check("embedded dark: text contrast ≥ 4.5:1", issues.length === 0, issues.join("; "));
    await axe("embedded dark", frame);
    await shot(page, "embedded-dark-1280x800", { compare: true });
    await page.goto(`${hostURL}/page?bg=light&theme=dark&lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`);
    const f2 = await (await page.waitForSelector("iframe", { timeout: TIMEOUT })).contentFrame();
    await ready(f2);
    check("theme=dark asked by the partner wins on a white page", (await backgroundLuminance(f2)) < 0.2);
  });

  // Defect 6: a misconfigured partner gets one console line and a neutral
  // sentence, and no iframe.
  for (const [label, url] of [
    ["data-limit=50", `${hostURL}/page?bg=light&limit=50`],
    ["data-lat without data-lon", `${hostURL}/page?bg=light&lat=45`],
    ["a page outside the allowlist", `${refusedHostURL}/page?bg=light`],
  ]) await scenario(`defect 6: ${label}`, async () => {
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    const errors = [];
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
    await page.goto(url);
    await page.waitForSelector(".guichet-widget-unavailable, iframe", { timeout: TIMEOUT }).catch(() => {});
    await page.waitForTimeout(300);
    const frames = await page.$$eval("iframe", (f) => f.length);
    const msg = await page.$eval(".guichet-widget-unavailable", (p) => p.textContent).catch(() => null);
    check(`defect 6: ${label}: no iframe inserted`, frames === 0, `${frames} iframes`);
    check(`defect 6: ${label}: a neutral sentence in the page`, msg && !/[{}]/.test(msg), msg);
    check(`defect 6: ${label}: one readable line in the console`, errors.length === 1 && /^guichet widget not shown: /.test(errors[0]), errors.join(" | "));
    if (label.startsWith("a page")) await shot(page, "partner-refused");
  });
  await scenario("defect 6: hand-written iframe", async () => {
    // An iframe written by hand with a bad value shows a sentence, not JSON.
    const ctx = await newContext({ ...desktop, ...common });
    const page = await ctx.newPage();
    const resp = await page.goto(`${base}/widget?limit=50`);
    const text = await page.textContent("body");
    check("defect 6: /widget?limit=50 in a browser shows a sentence, no JSON", resp.status() === 400 && !/[{}]/.test(text) && text.trim().length > 0, `${resp.status()} ${text.slice(0, 80)}`);
  });

  // First station shown on loopback: from navigation to the first result.
  await scenario("first station timing", async () => {
    const ctx = await newContext({ ...desktop, ...common });
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`); // warm caches
    await ready(page);
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = Date.now();
      await page.goto(`${base}/widget?lat=${(VOIRON.latitude + i * 0.01).toFixed(3)}&lon=${VOIRON.longitude}&at=${ATQ}`);
      await page.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
      times.push(Date.now() - t0);
    }
    // The best of five: go test runs other packages' tests beside this one,
    // and a load that starves the browser says nothing of the widget.
    times.sort((a, b) => a - b);
    result.first_station_ms = times[0];
    check(`first station shown ≤ ${MAX_FIRST_STATION_MS} ms on loopback (best of 5)`, times[0] <= MAX_FIRST_STATION_MS, `${times.join(", ")} ms`);
  });

  // The opt-in map: Leaflet and tiles load only on the reader's click.
  await scenario("map", async () => {
    if (!tileOrigin) { result.conditional.map = "skipped: no TILE_ORIGIN"; check("map: a tile server is configured (TILE_ORIGIN)", false); return; }
    const ctx = await newContext({ ...desktop, ...common });
    watchRequests(ctx);
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    const sizes = new Map();
    cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
    await page.goto(`${base}/widget?lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${ATQ}`);
    await ready(page);
    check("map: the diagram is shown until the reader asks for the map", await page.isVisible("#gw-svg") && !(await page.isVisible("#gw-tiles")));
    check("map: the button says the map loads from the tile server", (await page.textContent("#gw-map-note")).includes(new URL(tileOrigin).hostname), await page.textContent("#gw-map-note"));
    mapOpened = true;
    await page.click("#gw-map-toggle");
    await page.waitForSelector(".gw-leaflet-pin", { timeout: TIMEOUT });
    await ready(page);
    await page.waitForFunction(() => [...document.querySelectorAll(".leaflet-tile")].some((t) => t.complete && t.naturalWidth > 0), null, { timeout: TIMEOUT });
    await page.waitForTimeout(300);
    const pins = await page.$$eval(".gw-leaflet-pin", (p) => p.map((x) => x.textContent));
    check("map: a numbered pin per station", pins.length === LIMIT && pins.slice().sort().join() === ["1", "2", "3", "4", "5"].join(), pins.join(","));
    check("map: attribution names the tile server", (await page.textContent(".leaflet-control-attribution")).includes(new URL(tileOrigin).hostname));
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    result.map_page_weight_bytes = total;
    check(`map: first load with the map ≤ ${MAX_MAP_LOAD} bytes`, total > 0 && total <= MAX_MAP_LOAD, `${total} bytes in ${sizes.size} responses`);
    // Keyboard: a pin takes the focus and Enter chooses it.
    await page.focus(".gw-leaflet-pin[title^='2. ']");
    await page.keyboard.press("Enter");
    // The pick runs after Leaflet's own handler (a zero-delay timer).
    const picked = await page.waitForFunction(() => document.activeElement?.matches("#gw-results > li:nth-child(2)"), null, { timeout: 2000 }).then(() => true, () => false);
    check("map: Enter on pin 2 selects station 2 in the list", picked, await page.evaluate(() => document.activeElement?.outerHTML?.slice(0, 80) ?? "nothing focused"));
    await axe("map", page);
    await shot(page, "desktop-map-1280x800");
    await page.click("#gw-map-toggle");
    check("map: closing it brings the diagram back", await page.isVisible("#gw-svg") && !(await page.isVisible("#gw-tiles")));
  });

  check("map: no tile before the reader opens the map", earlyTiles.length === 0, earlyTiles.join(" "));
  check("no third-party request", thirdParty.length === 0, thirdParty.join(" "));
} catch (err) {
  check("run", false, String(err && err.stack || err));
} finally {
  await browser.close();
  host.close();
}

console.log(`screenshots: ${outdir}`);
console.log("RESULT " + JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
