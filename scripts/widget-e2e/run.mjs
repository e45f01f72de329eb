// Browser test of the guichet widget in headless Chromium.
//
//   node scripts/widget-e2e/run.mjs <baseURL> [outdir]
//
// baseURL is a running guichet serving the national data. The script
// prints one line per check, the screenshots folder, and a final line
// "RESULT {json}" that the Go test reads; it exits 1 when a check fails.
import { chromium } from "playwright-core";
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const base = (process.argv[2] || "").replace(/\/$/, "");
const outdir = path.resolve(process.argv[3] || "out/widget-screenshots");
if (!base) {
  console.error("usage: node run.mjs <baseURL> [outdir]");
  process.exit(2);
}
fs.mkdirSync(outdir, { recursive: true });

// A fixed instant (Monday 2 March 2026, 10:00 in Paris) and a point in
// Voiron (Isère).
const AT = "2026-03-02T10:00:00+01:00";
const VOIRON = { latitude: 45.364, longitude: 5.590 };
const LIMIT = 5;
const MAX_PAGE_BYTES = 150 * 1024;
const TIMEOUT = 20000;

const result = { ok: true, checks: [], conditional: {}, page_weight_bytes: null, screenshots: outdir };

function check(name, cond, detail) {
  result.checks.push({ name, ok: !!cond, detail: detail ?? "" });
  console.log(`${cond ? "ok  " : "FAIL"} ${name}${detail ? ": " + detail : ""}`);
  if (!cond) result.ok = false;
}

async function api(p) {
  const r = await fetch(base + p, { headers: { Accept: "application/json" } });
  return { status: r.status, body: r.ok ? await r.json() : null };
}

const launchArgs = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
// launch() gives every run a fresh temporary user-data-dir.
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: launchArgs, timeout: 60000 });

const phone = {
  viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
  userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
};
const desktop = { viewport: { width: 1280, height: 800 } };

async function ready(frame) {
  await frame.waitForSelector("html[data-ready=true]", { timeout: TIMEOUT });
}

// items returns the rendered results.
async function items(frame) {
  return frame.$$eval("#gw-results > li", (lis) => lis.map((li) => ({
    id: li.dataset.id,
    state: li.dataset.state,
    distance: Number(li.dataset.distanceM),
    badge: li.querySelector(".gw-badge")?.textContent ?? "",
    meta: li.querySelector(".gw-meta")?.textContent ?? "",
    tel: li.querySelector('a[href^="tel:"]')?.getAttribute("href") ?? null,
    route: li.querySelector("a.gw-route")?.getAttribute("href") ?? null,
  })));
}

// expectStations compares the widget's list with the API's answer for the
// same point and instant.
async function expectStations(label, got, lat, lon) {
  const want = await api(`/v1/stations/nearest?lat=${lat}&lon=${lon}&limit=${LIMIT}&at=${encodeURIComponent(AT)}`);
  check(`${label}: API answers`, want.status === 200, `status ${want.status}`);
  const ws = want.body?.stations ?? [];
  check(`${label}: ${LIMIT} stations listed`, got.length === LIMIT && ws.length === LIMIT, `got ${got.length}, API ${ws.length}`);
  check(`${label}: same stations, same order as the API`, JSON.stringify(got.map((s) => s.id)) === JSON.stringify(ws.map((s) => s.id)),
    got.map((s) => s.id).join(","));
  check(`${label}: sorted by distance`, got.every((s, i) => i === 0 || s.distance >= got[i - 1].distance), got.map((s) => s.distance).join(","));
  check(`${label}: distances in French format`, got.every((s) => /\d+(,\d)?\u00a0(m|km)/.test(s.meta)), got.map((s) => s.meta).join(" | "));
  const wantStates = ws.map((s) => s.hours?.status?.state ?? "unknown");
  check(`${label}: badges match the API at ${AT}`, JSON.stringify(got.map((s) => s.state)) === JSON.stringify(wantStates), got.map((s) => s.state).join(","));
  ws.forEach((s, i) => {
    const st = s.hours?.status;
    const g = got[i];
    if (!g) return;
    if (st?.state === "open" && st.next_change) {
      const hm = st.next_change.slice(11, 16);
      check(`${label}: "${g.badge}" says when ${s.id} closes`, g.badge.includes(`ferme à ${hm}`) || g.badge.includes(`ferme demain à ${hm}`) || /ferme \S+ à/.test(g.badge));
    } else if (st?.state === "closed" && st.next_change) {
      const hm = st.next_change.slice(11, 16);
      check(`${label}: "${g.badge}" says when ${s.id} opens`, g.badge.includes(`à ${hm}`) && g.badge.startsWith("Fermé · ouvre"));
    } else if (st?.state === "closed" && st.next_change === null) {
      check(`${label}: "${g.badge}" says ${s.id} never receives the public`, g.badge === "Pas d’accueil du public");
    }
    if (s.phone) check(`${label}: phone of ${s.id} is a tel: link`, g.tel && g.tel.startsWith("tel:"), g.tel);
  });
  return ws;
}

const thirdParty = [];
function watchRequests(page, allowed) {
  page.on("request", (r) => {
    const u = new URL(r.url());
    if (!["data:", "blob:"].includes(u.protocol) && !allowed.includes(u.origin)) thirdParty.push(r.url());
  });
}

// contrastIssues measures the WCAG contrast of every visible text in the page.
async function contrastIssues(page) {
  return page.evaluate(() => {
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

try {
  // (1) Geolocation granted in Voiron, desktop: list, badges, weight.
  {
    const ctx = await browser.newContext({ ...desktop, geolocation: VOIRON, permissions: ["geolocation"], locale: "fr-FR" });
    const page = await ctx.newPage();
    watchRequests(page, [new URL(base).origin]);
    const cdp = await ctx.newCDPSession(page);
    await cdp.send("Network.enable");
    const sizes = new Map();
    cdp.on("Network.loadingFinished", (e) => sizes.set(e.requestId, e.encodedDataLength));
    const resp = await page.goto(`${base}/widget?at=${encodeURIComponent(AT)}`);
    check("geolocation: page answers 200", resp.status() === 200, String(resp.status()));
    await ready(page);
    await page.waitForTimeout(300);
    const got = await items(page);
    await expectStations("geolocation", got, VOIRON.latitude, VOIRON.longitude);
    check("geolocation: itinerary links to OpenStreetMap on desktop", got.every((s) => s.route?.startsWith("https://www.openstreetmap.org/directions?")), got[0]?.route);
    check("geolocation: map shows every station and the position",
      (await page.$$eval("#gw-svg .gw-pin", (e) => e.length)) === LIMIT && (await page.$$eval("#gw-svg .gw-here", (e) => e.length)) === 1);
    const status = await page.textContent("#gw-status");
    check("geolocation: status announces the results", /5 lieux d’accueil/.test(status), status);
    const jur = await api(`/v1/jurisdiction?lat=${VOIRON.latitude}&lon=${VOIRON.longitude}`);
    // The national data carries the jurisdiction tables: the box must show.
    check("geolocation: /v1/jurisdiction answers", jur.status === 200, `status ${jur.status}`);
    result.conditional.jurisdiction = `jurisdiction ${jur.status}`;
    const jurText = await page.textContent("#gw-jurisdiction");
    check("geolocation: competent unit shown", jurText.includes(jur.body?.commune?.name ?? "?"), jurText);
    const total = [...sizes.values()].reduce((a, b) => a + b, 0);
    result.page_weight_bytes = total;
    check(`page weight ≤ ${MAX_PAGE_BYTES} bytes`, total > 0 && total <= MAX_PAGE_BYTES, `${total} bytes in ${sizes.size} responses`);
    check("light theme: text contrast ≥ 4.5:1", (await contrastIssues(page)).length === 0, (await contrastIssues(page)).join("; "));
    await page.screenshot({ path: path.join(outdir, "desktop-1280x800.png"), fullPage: true });

    // (4) Keyboard only: Tab reaches every result, with a visible focus.
    await page.mouse.move(0, 0);
    await page.evaluate(() => document.activeElement?.blur());
    const reached = new Set();
    let visible = true;
    for (let i = 0; i < 60 && reached.size < LIMIT; i++) {
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
    await page.screenshot({ path: path.join(outdir, "desktop-keyboard-focus.png") });

    const openOnly = await ctx.newPage();
    await openOnly.goto(`${base}/widget?open=true&force=gendarmerie&lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${encodeURIComponent(AT)}`);
    await ready(openOnly);
    const opened = await items(openOnly);
    check("open=true: only open stations, up to the limit", opened.length === LIMIT && opened.every((s) => s.state === "open"),
      opened.map((s) => `${s.id}:${s.state}`).join(","));
    await openOnly.close();

    const dark = await ctx.newPage();
    await dark.goto(`${base}/widget?theme=dark&lang=en&lat=${VOIRON.latitude}&lon=${VOIRON.longitude}&at=${encodeURIComponent(AT)}`);
    await ready(dark);
    const en = await items(dark);
    const enStatus = await dark.textContent("#gw-status");
    check("English: status and badges are translated", enStatus === "5 stations near this point" &&
      en.every((s) => /^(Open · closes (\S+ )?at \d\d:\d\d|Closed( · opens (\S+ )?at \d\d:\d\d)?|Hours unknown|Not open to the public)$/.test(s.badge)),
      `${enStatus} | ${en.map((s) => s.badge).join(" | ")}`);
    const darkIssues = await contrastIssues(dark);
    check("dark theme: text contrast ≥ 4.5:1", darkIssues.length === 0, darkIssues.join("; "));
    await dark.screenshot({ path: path.join(outdir, "desktop-dark-1280x800.png"), fullPage: true });
    await ctx.close();
  }

  // Phone sizes: 375 px and 320 px wide, geo: itinerary links.
  {
    const ctx = await browser.newContext({ ...phone, geolocation: VOIRON, permissions: ["geolocation"], locale: "fr-FR" });
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?at=${encodeURIComponent(AT)}`);
    await ready(page);
    const got = await items(page);
    check("phone: itinerary is a geo: URI on mobile", got.length > 0 && got.every((s) => s.route?.startsWith("geo:")), got[0]?.route);
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    check("phone: no horizontal scroll at 375 px", (await overflow()) <= 0);
    await page.screenshot({ path: path.join(outdir, "phone-375x667.png"), fullPage: true });
    await page.setViewportSize({ width: 320, height: 640 });
    check("phone: no horizontal scroll at 320 px", (await overflow()) <= 0);
    await page.screenshot({ path: path.join(outdir, "phone-320x640.png"), fullPage: true });
    await ctx.close();
  }

  // (2) Geolocation denied: search a commune.
  {
    const ctx = await browser.newContext({ ...phone, locale: "fr-FR" });
    const page = await ctx.newPage();
    await page.goto(`${base}/widget?at=${encodeURIComponent(AT)}`);
    await page.waitForSelector("#gw-search:not([hidden])", { timeout: TIMEOUT });
    check("denied: the search box is shown", await page.isVisible("#gw-q"));
    const geocode = await api(`/v1/geocode?q=Voiron&autocomplete=1&type=municipality`);
    const geocodeUsable = geocode.status === 200 && (geocode.body?.features?.length ?? 0) > 0;
    check("denied: the commune search endpoint answers", geocodeUsable, `status ${geocode.status}`);
    result.conditional.search = `geocode ${geocode.status}`;
    const searchPage = page;
    if (geocodeUsable) {
      const sp = searchPage;
      await sp.focus("#gw-q");
      await sp.keyboard.type("Voiron", { delay: 40 });
      await sp.waitForSelector("#gw-suggestions:not([hidden]) [role=option]", { timeout: TIMEOUT });
      const labels = await sp.$$eval("#gw-suggestions [role=option]", (o) => o.map((x) => x.textContent));
      const idx = labels.findIndex((l) => /^Voiron\b/i.test(l));
      check("denied: Voiron is suggested", idx >= 0, labels.join(" | "));
      for (let i = 0; i <= idx; i++) await sp.keyboard.press("ArrowDown");
      check("denied: the highlighted option is the active descendant",
        (await sp.getAttribute("#gw-q", "aria-activedescendant")) === `gw-opt-${Math.max(idx, 0)}`);
      await sp.keyboard.press("Enter");
      await sp.waitForSelector("#gw-results > li", { timeout: TIMEOUT });
      await ready(sp);
      const lat = await sp.getAttribute("#gw-results", "data-lat");
      const lon = await sp.getAttribute("#gw-results", "data-lon");
      const got = await items(sp);
      await expectStations("denied", got, lat, lon);
      const dKm = Math.hypot((lat - VOIRON.latitude) * 111, (lon - VOIRON.longitude) * 78);
      check("denied: the chosen commune is Voiron", dKm < 5, `${lat},${lon}`);
      const status = await sp.textContent("#gw-status");
      check("denied: status names the commune", status.includes("Voiron"), status);
      await sp.screenshot({ path: path.join(outdir, "phone-search.png"), fullPage: true });
    }
    await ctx.close();
  }

  // (3) Embedded with the one-line script in a page from another origin.
  {
    const host = http.createServer((req, res) => {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Mairie</title></head><body style="font-family:sans-serif;margin:16px">
<h1>Site partenaire</h1><p>Texte avant le widget.</p>
<script src="${base}/widget.js" data-at="${AT}" async></script>
<p id="after">Texte après le widget.</p>
<iframe id="api" src="${base}/v1/meta" title="API" style="width:300px;height:80px"></iframe></body></html>`);
    });
    await new Promise((r) => host.listen(0, "127.0.0.1", r));
    const hostURL = `http://127.0.0.1:${host.address().port}/`;
    const ctx = await browser.newContext({ ...desktop, geolocation: VOIRON, permissions: ["geolocation"], locale: "fr-FR" });
    const page = await ctx.newPage();
    watchRequests(page, [new URL(base).origin, new URL(hostURL).origin]);
    await page.goto(hostURL);
    const iframe = await page.waitForSelector("iframe", { timeout: TIMEOUT });
    const src = await iframe.getAttribute("src");
    check("iframe: same origin as the script", new URL(src).origin === new URL(base).origin, src);
    check("iframe: has a title", !!(await iframe.getAttribute("title")));
    check("iframe: allows geolocation", (await iframe.getAttribute("allow")) === "geolocation");
    const frame = await iframe.contentFrame();
    await ready(frame);
    const got = await items(frame);
    await expectStations("iframe", got, VOIRON.latitude, VOIRON.longitude);
    await page.waitForFunction(() => {
      const f = document.querySelector("iframe");
      const h = f.contentDocument ? null : parseFloat(f.style.height);
      return h && h !== 480;
    }, null, { timeout: TIMEOUT }).catch(() => {});
    const frameH = parseFloat(await iframe.evaluate((f) => f.style.height));
    const contentH = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
    check("iframe: sized to its content by postMessage", Math.abs(frameH - contentH) <= 2, `iframe ${frameH}px, content ${contentH}px`);
    await page.screenshot({ path: path.join(outdir, "embedded-1280x800.png"), fullPage: true });
    // The API, unlike the widget, refuses to be framed (frame-ancestors 'none').
    const apiFrame = await (await page.$("#api")).contentFrame();
    const apiText = await apiFrame.evaluate(() => document.body ? document.body.innerText : "").catch(() => "");
    check("iframe: the API itself cannot be framed", !apiText.includes('"version"') && apiFrame.url() !== `${base}/v1/meta`, apiFrame.url());
    await ctx.close();
    host.close();
  }

  check("no third-party request", thirdParty.length === 0, thirdParty.join(" "));
} catch (err) {
  check("run", false, String(err && err.stack || err));
} finally {
  await browser.close();
}

console.log(`screenshots: ${outdir}`);
console.log("RESULT " + JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
