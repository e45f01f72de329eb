// guichet widget loader. A partner page includes
//   <script src="https://GUICHET/widget.js" data-force="gendarmerie" async></script>
// and this script checks its parameters and the page's origin, then inserts
// the widget iframe right after itself, from the same origin as its own
// src, and keeps the iframe as tall as its content. A misconfigured page
// gets one line in the console and a neutral sentence, never a frame the
// browser refuses or an error body.
(function () {
  "use strict";
  // The origins allowed to frame the widget, as CSP source expressions;
  // the server writes them here when it serves this file.
  var ALLOWED = /*guichet:frame-ancestors*/["*"]/**/;

  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    script = all[all.length - 1];
  }
  if (!script || script.getAttribute("data-guichet-loaded")) return;
  script.setAttribute("data-guichet-loaded", "true");

  var src = new URL(script.src, document.baseURI);
  var lang = script.getAttribute("data-lang") === "en" ? "en" : "fr";

  function attr(k) {
    var v = script.getAttribute("data-" + k);
    return v == null ? "" : v.trim();
  }
  function num(v, lo, hi) {
    return /^-?\d+(\.\d+)?$/.test(v) && Number(v) >= lo && Number(v) <= hi;
  }

  // problem returns why the parameters are wrong, or "".
  function problem() {
    var force = attr("force"), limit = attr("limit"), l = attr("lang"), open = attr("open"), theme = attr("theme"),
      lat = attr("lat"), lon = attr("lon"), at = attr("at"), height = attr("height");
    if (force && force !== "gendarmerie" && force !== "police") return 'data-force must be "gendarmerie" or "police", got "' + force + '"';
    if (limit && !(/^\d+$/.test(limit) && +limit >= 1 && +limit <= 20)) return 'data-limit must be a whole number from 1 to 20, got "' + limit + '"';
    if (l && l !== "fr" && l !== "en") return 'data-lang must be "fr" or "en", got "' + l + '"';
    if (open && !/^(true|false|1|0|yes|no)$/i.test(open)) return 'data-open must be "true" or "false", got "' + open + '"';
    if (theme && theme !== "light" && theme !== "dark" && theme !== "auto") return 'data-theme must be "light", "dark" or "auto", got "' + theme + '"';
    if (!lat !== !lon) return "data-lat and data-lon go together: give both or neither";
    if (lat && !num(lat, -90, 90)) return 'data-lat must be a latitude from -90 to 90, got "' + lat + '"';
    if (lon && !num(lon, -180, 180)) return 'data-lon must be a longitude from -180 to 180, got "' + lon + '"';
    if (at && !(/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(at) && !isNaN(Date.parse(at)))) return 'data-at must be an RFC 3339 time such as 2026-03-02T10:00:00+01:00, got "' + at + '"';
    if (height && !(/^\d+$/.test(height) && +height >= 200 && +height <= 4000)) return 'data-height must be a whole number of pixels from 200 to 4000, got "' + height + '"';
    return "";
  }

  // allowed reports whether this page's origin matches a frame-ancestors
  // source expression: *, 'self', a scheme ("https:"), or a host with an
  // optional scheme, "*." wildcard and port.
  function allowed(origin) {
    var here = new URL(origin);
    return ALLOWED.some(function (e) {
      if (e === "*") return true;
      if (e === "'self'") return origin === src.origin;
      if (/^[a-z][a-z0-9+.-]*:$/i.test(e)) return here.protocol === e.toLowerCase();
      var m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*\.)?([^/:]+)(?::(\d+|\*))?\/?$/i.exec(e);
      if (!m) return false;
      if (m[1] ? here.protocol !== m[1].toLowerCase() + ":" : here.protocol !== "https:" && here.protocol !== "http:") return false;
      var host = m[3].toLowerCase(), h = here.hostname.toLowerCase();
      if (m[2] ? !(h.length > host.length && h.slice(-host.length - 1) === "." + host) : h !== host) return false;
      var port = here.port || (here.protocol === "https:" ? "443" : "80");
      return m[4] === "*" || port === (m[4] || (here.protocol === "https:" ? "443" : "80"));
    });
  }

  function refuse(why) {
    if (window.console) console.error("guichet widget not shown: " + why + ".");
    var p = document.createElement("p");
    p.className = "guichet-widget-unavailable";
    p.textContent = lang === "en" ? "The police station finder is not available on this page." :
      "La recherche de commissariat ou de gendarmerie n’est pas disponible sur cette page.";
    script.parentNode.insertBefore(p, script.nextSibling);
  }

  var bad = problem();
  if (bad) { refuse(bad); return; }
  if (!allowed(location.origin)) {
    refuse("this page's origin " + location.origin + " is not among those allowed to show it (" + ALLOWED.join(" ") + "); ask the service to add it");
    return;
  }

  // "auto" follows the partner page: dark only when the page asks for it
  // (color-scheme: dark alone) or paints a dark background; light otherwise.
  function partnerTheme() {
    var root = getComputedStyle(document.documentElement);
    if (/^\s*(only\s+)?dark\s*$/.test(root.colorScheme || "")) return "dark";
    var els = [document.body, document.documentElement];
    for (var i = 0; i < els.length; i++) {
      if (!els[i]) continue;
      var c = (getComputedStyle(els[i]).backgroundColor.match(/[\d.]+/g) || []).map(Number);
      if (c.length >= 3 && (c.length < 4 || c[3] > 0.5)) {
        var lum = (0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]) / 255;
        return lum < 0.4 ? "dark" : "light";
      }
    }
    return "light";
  }

  var page = new URL("widget", src);
  ["force", "limit", "lang", "open", "theme", "lat", "lon", "at"].forEach(function (k) {
    var v = attr(k);
    if (v !== "") page.searchParams.set(k, v);
  });
  if (!attr("theme") || attr("theme") === "auto") page.searchParams.set("theme", partnerTheme());

  var frame = document.createElement("iframe");
  frame.src = page.href;
  frame.title = attr("title") ||
    (lang === "en" ? "Find a police or gendarmerie station" : "Trouver un commissariat ou une gendarmerie");
  frame.setAttribute("allow", "geolocation");
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
  frame.style.cssText = "display:block;width:100%;max-width:100%;border:0;min-width:280px;color-scheme:normal;height:" +
    (parseInt(attr("height"), 10) || 480) + "px";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (e) {
    if (e.origin !== src.origin || e.source !== frame.contentWindow) return;
    var d = e.data;
    if (d && d.type === "guichet-widget:height" && typeof d.height === "number" && d.height > 0 && d.height < 20000) {
      frame.style.height = Math.ceil(d.height) + "px";
    }
  });
})();
