// guichet widget: nearest police stations and gendarmeries for the reader's
// position or a commune they search for. No framework, no third-party
// request unless a tile server is configured.
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("gw-config").textContent || "{}");

  var dict = {
    fr: {
      locate: "Utiliser ma position",
      searchLabel: "Commune",
      searchHint: "Tapez le nom d’une commune, puis choisissez-la dans la liste.",
      results: "Résultats",
      locating: "Recherche de votre position…",
      denied: "Position non disponible. Cherchez une commune.",
      unsupported: "La géolocalisation n’est pas disponible. Cherchez une commune.",
      loading: "Recherche des lieux d’accueil les plus proches…",
      found: function (n, place) { return n + (n > 1 ? " lieux d’accueil" : " lieu d’accueil") + " près de " + place; },
      none: "Aucun lieu d’accueil trouvé.",
      error: "Le service ne répond pas. Réessayez plus tard.",
      yourPosition: "votre position",
      startPoint: "ce point",
      noSuggestion: "Aucune commune trouvée.",
      suggestions: function (n) { return n + (n > 1 ? " communes proposées" : " commune proposée") + ". Flèches haut et bas pour choisir."; },
      searchUnavailable: "La recherche de commune n’est pas disponible pour le moment.",
      open: "Ouvert", closed: "Fermé", unknown: "Horaires inconnus",
      neverOpen: "Pas d’accueil du public",
      closesAt: function (when, hm) { return "ferme " + when + "à " + hm; },
      opensAt: function (when, hm) { return "ouvre " + when + "à " + hm; },
      tomorrow: "demain ",
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      on: function (d, m) { return "le " + d + " " + ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"][m] + " "; },
      force: { gendarmerie: "Gendarmerie", police: "Police nationale" },
      call: function (p) { return "Appeler le " + p; },
      route: "Itinéraire",
      routeTo: function (n) { return "Itinéraire vers " + n + " (nouvelle fenêtre)"; },
      website: "Site web",
      distance: function (d) { return "à " + d; },
      competent: function (commune, force, unit) { return "À " + commune + ", la compétence revient à la " + force + (unit ? " : " + unit : "") + "."; },
      forceLower: { gendarmerie: "gendarmerie", police: "police nationale" },
      map: function (n) { return "Carte : votre point de recherche (cercle rouge) et " + n + " lieux d’accueil numérotés."; },
      tiles: "Fond de carte : ",
      decimal: ","
    },
    en: {
      locate: "Use my location",
      searchLabel: "Town",
      searchHint: "Type a French town name, then pick it from the list.",
      results: "Results",
      locating: "Finding your location…",
      denied: "Location not available. Search for a town.",
      unsupported: "Geolocation is not available. Search for a town.",
      loading: "Looking for the nearest stations…",
      found: function (n, place) { return n + (n > 1 ? " stations" : " station") + " near " + place; },
      none: "No station found.",
      error: "The service is not answering. Try again later.",
      yourPosition: "your location",
      startPoint: "this point",
      noSuggestion: "No town found.",
      suggestions: function (n) { return n + (n > 1 ? " towns" : " town") + " suggested. Use up and down arrows to choose."; },
      searchUnavailable: "Town search is not available at the moment.",
      open: "Open", closed: "Closed", unknown: "Hours unknown",
      neverOpen: "Not open to the public",
      closesAt: function (when, hm) { return "closes " + when + "at " + hm; },
      opensAt: function (when, hm) { return "opens " + when + "at " + hm; },
      tomorrow: "tomorrow ",
      days: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
      on: function (d, m) { return "on " + ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"][m] + " " + d + " "; },
      force: { gendarmerie: "Gendarmerie", police: "Police nationale" },
      call: function (p) { return "Call " + p; },
      route: "Directions",
      routeTo: function (n) { return "Directions to " + n + " (new window)"; },
      website: "Website",
      distance: function (d) { return d + " away"; },
      competent: function (commune, force, unit) { return "In " + commune + ", the competent force is the " + force + (unit ? ": " + unit : "") + "."; },
      forceLower: { gendarmerie: "gendarmerie", police: "police nationale" },
      map: function (n) { return "Map: your search point (red ring) and " + n + " numbered stations."; },
      tiles: "Map tiles: ",
      decimal: "."
    }
  };
  var T = dict[cfg.lang] || dict.fr;

  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("gw-status"), list = $("gw-results"), form = $("gw-search"), input = $("gw-q"),
    box = $("gw-suggestions"), locateBtn = $("gw-locate"), jur = $("gw-jurisdiction"),
    mapFig = $("gw-map"), svg = $("gw-svg"), caption = $("gw-map-caption");

  Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (el) {
    el.textContent = T[el.getAttribute("data-i18n")];
  });
  var nowMs = cfg.at ? Date.parse(cfg.at) : Date.now();
  var seq = 0; // discards answers to superseded searches

  function status(text) { statusEl.textContent = text; }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { if (attrs[k] != null) e.setAttribute(k, attrs[k]); }
    if (text != null) e.textContent = text;
    return e;
  }

  function getJSON(path) {
    return fetch(path, { headers: { Accept: "application/json" }, credentials: "omit" }).then(function (r) {
      if (!r.ok) { var err = new Error("HTTP " + r.status); err.status = r.status; throw err; }
      return r.json();
    });
  }

  function qs(params) {
    var parts = [];
    for (var k in params) { if (params[k] != null && params[k] !== "") parts.push(k + "=" + encodeURIComponent(params[k])); }
    return parts.join("&");
  }

  // --- formatting -------------------------------------------------------

  function formatDistance(m) {
    if (m < 1000) return Math.round(m) + "\u00a0m";
    var km = m / 1000;
    var s = km < 9.95 ? km.toFixed(1) : String(Math.round(km));
    return s.replace(".", T.decimal) + "\u00a0km";
  }

  // hoursBadge returns the state and text of a station's hours. Times are
  // shown in the station's own zone, read from the offset of next_change.
  function hoursBadge(h) {
    var st = h && h.status;
    var state = st && (st.state === "open" || st.state === "closed") ? st.state : "unknown";
    var text = T[state], detail = "";
    var m = st && typeof st.next_change === "string" &&
      /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?(Z|([+-])(\d\d):(\d\d))$/.exec(st.next_change);
    if (state !== "unknown" && m) {
      var off = m[6] === "Z" ? 0 : (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
      var local = new Date(nowMs + off * 60000);
      var today = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
      var day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
      var diff = Math.round((day - today) / 86400000);
      var when = diff <= 0 ? "" : diff === 1 ? T.tomorrow : diff < 7 ? T.days[new Date(day).getUTCDay()] + " " : T.on(Number(m[3]), Number(m[2]) - 1);
      var hm = m[4] + ":" + m[5];
      detail = state === "open" ? T.closesAt(when, hm) : T.opensAt(when, hm);
    } else if (state === "closed" && st.next_change === null) {
      // Closed with no change ahead: the unit receives no public at all.
      text = T.neverOpen;
    }
    return { state: state, text: detail ? text + " · " + detail : text };
  }

  var mobile = /Android|iPhone|iPad|iPod|Mobile|Windows Phone/i.test(navigator.userAgent);

  function routeURL(from, st) {
    var lat = st.location.lat, lon = st.location.lon;
    if (mobile) return "geo:" + lat + "," + lon + "?q=" + lat + "," + lon + "(" + encodeURIComponent(st.name) + ")";
    return "https://www.openstreetmap.org/directions?engine=fossgis_osrm_car&route=" +
      encodeURIComponent(from.lat + "," + from.lon + ";" + lat + "," + lon);
  }

  // --- results ----------------------------------------------------------

  function render(from, place, stations) {
    list.textContent = "";
    stations.forEach(function (st, i) {
      var badge = hoursBadge(st.hours);
      var titleId = "gw-st-" + i;
      var li = el("li", { "class": "gw-item", tabindex: "0", "aria-labelledby": titleId, "data-id": st.id, "data-state": badge.state, "data-distance-m": st.distance_m });
      var h = el("h3", { id: titleId });
      h.appendChild(el("span", { "class": "gw-num", "aria-hidden": "true" }, String(i + 1)));
      h.appendChild(el("span", null, st.name));
      li.appendChild(h);
      var forceName = T.force[st.force] || st.force;
      li.appendChild(el("p", { "class": "gw-meta" }, forceName + (st.distance_m != null ? " · " + T.distance(formatDistance(st.distance_m)) : "")));
      li.appendChild(el("p", { "class": "gw-badge", "data-state": badge.state }, badge.text));
      var a = st.address || {};
      var addr = [a.street, [a.postcode, a.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
      if (addr) li.appendChild(el("p", { "class": "gw-addr" }, addr));
      var links = el("p", { "class": "gw-links" });
      if (st.phone) links.appendChild(el("a", { href: "tel:" + st.phone.replace(/[^\d+]/g, ""), "aria-label": T.call(st.phone) }, st.phone));
      links.appendChild(el("a", { href: routeURL(from, st), target: "_blank", rel: "noopener noreferrer", "aria-label": T.routeTo(st.name), "class": "gw-route" }, T.route));
      if (st.url && /^https?:\/\//.test(st.url)) links.appendChild(el("a", { href: st.url, target: "_blank", rel: "noopener noreferrer" }, T.website));
      li.appendChild(links);
      li.addEventListener("focus", function () { highlight(i); });
      li.addEventListener("mouseenter", function () { highlight(i); });
      list.appendChild(li);
    });
    list.setAttribute("data-lat", from.lat);
    list.setAttribute("data-lon", from.lon);
    status(stations.length ? T.found(stations.length, place) : T.none);
    drawMap(from, stations);
  }

  function highlight(i) {
    Array.prototype.forEach.call(document.querySelectorAll(".gw-active"), function (e) { e.classList.remove("gw-active"); });
    var item = list.children[i], pin = svg.querySelector('[data-index="' + i + '"]');
    if (item) item.classList.add("gw-active");
    if (pin) pin.classList.add("gw-active");
  }

  function showJurisdiction(j) {
    jur.textContent = "";
    if (!j || !j.commune) { jur.hidden = true; return; }
    var c = (j.competent || [])[0] || {};
    var force = c.force || j.force;
    var unit = c.station && c.station.name ? c.station.name : "";
    jur.appendChild(el("p", null, T.competent(j.commune.name || j.commune.code, T.forceLower[force] || force || "?", unit)));
    jur.hidden = false;
  }

  function search(from, place) {
    var my = ++seq;
    status(T.loading);
    list.setAttribute("aria-busy", "true");
    // With open=true, ask for more stations than shown: the closed ones are
    // dropped here when the API leaves them in.
    // The fields the list shows: the compact station, less today's ranges,
    // plus the web page.
    var q = qs({ lat: from.lat, lon: from.lon, limit: cfg.open ? Math.min(100, cfg.limit * 4) : cfg.limit, force: cfg.force, open: cfg.open ? "true" : "", at: cfg.at,
      fields: "name,force,address.street,address.postcode,address.city,phone,url,location,distance_m,hours.status" });
    var stations = getJSON("v1/stations/nearest?" + q).then(function (body) {
      if (my !== seq) return;
      var sts = (body && body.stations) || [];
      if (cfg.open) sts = sts.filter(function (s) { return !s.hours || !s.hours.status || s.hours.status.state === "open"; }).slice(0, cfg.limit);
      render(from, place, sts);
    }, function () {
      if (my === seq) { list.textContent = ""; status(T.error); }
    });
    var j = getJSON("v1/jurisdiction?" + qs({ lat: from.lat, lon: from.lon })).then(function (body) {
      if (my === seq) showJurisdiction(body);
    }, function () { if (my === seq) showJurisdiction(null); });
    return Promise.all([stations, j]).then(function () {
      if (my === seq) { list.removeAttribute("aria-busy"); document.documentElement.setAttribute("data-ready", "true"); }
    });
  }

  // --- map --------------------------------------------------------------

  var SVGNS = "http://www.w3.org/2000/svg";
  function s(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    for (var k in attrs) e.setAttribute(k, attrs[k]);
    if (text != null) e.textContent = text;
    return e;
  }
  // Web Mercator in world units [0, 1).
  function mx(lon) { return (lon + 180) / 360; }
  function my(lat) {
    var r = Math.max(-85.05, Math.min(85.05, lat)) * Math.PI / 180;
    return (1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2;
  }

  function drawMap(from, stations) {
    var W = 400, H = 280, pad = 24;
    svg.textContent = "";
    var pts = stations.map(function (st) { return [mx(st.location.lon), my(st.location.lat)]; });
    var here = [mx(from.lon), my(from.lat)];
    var all = pts.concat([here]);
    var x0 = Math.min.apply(null, all.map(function (p) { return p[0]; })), x1 = Math.max.apply(null, all.map(function (p) { return p[0]; }));
    var y0 = Math.min.apply(null, all.map(function (p) { return p[1]; })), y1 = Math.max.apply(null, all.map(function (p) { return p[1]; }));
    var minSpan = 2e-5; // about 800 m: a single point still gets a sensible scale
    var scale = Math.min((W - 2 * pad) / Math.max(x1 - x0, minSpan), (H - 2 * pad) / Math.max(y1 - y0, minSpan));
    var tiles = cfg.tile_url ? String(cfg.tile_url) : "";
    var z = 0;
    if (tiles) { // snap to a tile zoom so that tiles draw at their natural size
      z = Math.max(0, Math.min(19, Math.floor(Math.log(scale / 256) / Math.LN2)));
      scale = 256 * Math.pow(2, z);
    }
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    function px(p) { return [W / 2 + (p[0] - cx) * scale, H / 2 + (p[1] - cy) * scale]; }
    if (tiles) {
      var n = Math.pow(2, z), left = cx * scale - W / 2, top = cy * scale - H / 2;
      for (var tx = Math.floor(left / 256); tx * 256 < left + W; tx++) {
        for (var ty = Math.max(0, Math.floor(top / 256)); ty * 256 < top + H && ty < n; ty++) {
          var wx = ((tx % n) + n) % n;
          var href = tiles.replace("{z}", z).replace("{x}", wx).replace("{y}", ty).replace("{s}", "abc"[(wx + ty) % 3]);
          svg.appendChild(s("image", { href: href, x: tx * 256 - left, y: ty * 256 - top, width: 256, height: 256 }));
        }
      }
    } else {
      var g = s("g", { "class": "gw-grid", "aria-hidden": "true" });
      for (var gx = 40; gx < W; gx += 40) g.appendChild(s("line", { x1: gx, y1: 0, x2: gx, y2: H }));
      for (var gy = 40; gy < H; gy += 40) g.appendChild(s("line", { x1: 0, y1: gy, x2: W, y2: gy }));
      svg.appendChild(g);
    }
    var h = px(here); // under the pins, so that their numbers stay readable
    svg.appendChild(s("circle", { "class": "gw-here", cx: h[0].toFixed(1), cy: h[1].toFixed(1), r: 16, "aria-hidden": "true" }));
    for (var i = pts.length - 1; i >= 0; i--) {
      var q = px(pts[i]);
      var pin = s("g", { "class": "gw-pin", "data-index": i, "aria-hidden": "true" });
      pin.appendChild(s("circle", { cx: q[0].toFixed(1), cy: q[1].toFixed(1), r: 10 }));
      pin.appendChild(s("text", { x: q[0].toFixed(1), y: q[1].toFixed(1) }, String(i + 1)));
      svg.appendChild(pin);
    }
    caption.textContent = T.map(stations.length) + (tiles ? " " + T.tiles + (tiles.split("/")[2] || "") : "");
    mapFig.hidden = stations.length === 0;
  }

  // --- position and commune search ---------------------------------------

  function showSearch(message) {
    form.hidden = false;
    if (message) status(message);
  }

  function locate() {
    if (!("geolocation" in navigator)) { showSearch(T.unsupported); return; }
    status(T.locating);
    navigator.geolocation.getCurrentPosition(function (pos) {
      search({ lat: round(pos.coords.latitude), lon: round(pos.coords.longitude) }, T.yourPosition);
    }, function () {
      showSearch(T.denied);
      document.documentElement.setAttribute("data-ready", "true");
    }, { timeout: 10000, maximumAge: 300000 });
  }
  function round(v) { return Math.round(v * 1e5) / 1e5; }

  // Commune suggestions come from /v1/geocode (GeoCodeJSON) when it
  // answers, else from /v1/communes.
  var useGeocode = true;
  function suggest(q) {
    if (useGeocode) {
      return getJSON("v1/geocode?" + qs({ q: q, autocomplete: 1, type: "municipality", limit: 7 })).then(function (body) {
        return ((body && body.features) || []).map(function (f) {
          var p = f.properties || {}, c = (f.geometry && f.geometry.coordinates) || [];
          return { label: p.label || p.city || p.name, detail: p.postcode || p.context || "", code: p.citycode, lat: Number(c[1]), lon: Number(c[0]) };
        });
      }, function (err) {
        if (err.status === 400) return [];
        useGeocode = false;
        return suggest(q);
      });
    }
    return getJSON("v1/communes?" + qs({ q: q, limit: 7 })).then(function (body) {
      var items = Array.isArray(body) ? body : (body && (body.communes || body.results || body.features || body.items)) || [];
      return items.map(communeSuggestion).filter(Boolean).slice(0, 7);
    });
  }

  // communeSuggestion reads one commune whatever its exact shape: flat,
  // nested under "commune" or a GeoJSON feature, with its centre as
  // [lon, lat], {lat, lon}, a GeoJSON point or lat/lon fields. A commune
  // without coordinates cannot be searched around and is left out.
  function communeSuggestion(c) {
    if (!c || typeof c !== "object") return null;
    var p = c.properties || c.commune || c;
    var name = p.name || p.nom || p.label || p.city;
    var ll = point(p.center || p.centre || p.location) || point(c.center || c.centre || c.location) ||
      point(c.geometry) || point(p) || point(c);
    if (!name || !ll) return null;
    var pc = p.postcode || (Array.isArray(p.postcodes) && p.postcodes[0]) || (Array.isArray(p.codesPostaux) && p.codesPostaux[0]) || p.departement || "";
    return { label: name, detail: pc, code: p.code || p.citycode, lat: ll[0], lon: ll[1] };
  }

  // point returns [lat, lon] from any usual encoding, or null.
  function point(v) {
    if (!v || typeof v !== "object") return null;
    var lat, lon;
    if (Array.isArray(v)) { lon = v[0]; lat = v[1]; }
    else if (v.type === "Point" && Array.isArray(v.coordinates)) { lon = v.coordinates[0]; lat = v.coordinates[1]; }
    else { lat = v.lat != null ? v.lat : v.latitude; lon = v.lon != null ? v.lon : v.lng != null ? v.lng : v.longitude; }
    if (lat == null || lon == null) return null;
    lat = Number(lat); lon = Number(lon);
    return isFinite(lat) && isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? [lat, lon] : null;
  }

  var options = [], active = -1, timer = 0, qseq = 0;

  function closeBox() {
    box.hidden = true; box.textContent = ""; options = []; active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setActive(i) {
    active = i;
    Array.prototype.forEach.call(box.children, function (li, k) { li.setAttribute("aria-selected", k === i ? "true" : "false"); });
    if (i >= 0) { input.setAttribute("aria-activedescendant", "gw-opt-" + i); box.children[i].scrollIntoView({ block: "nearest" }); }
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(i) {
    var o = options[i];
    if (!o) return;
    input.value = o.label;
    closeBox();
    search({ lat: round(o.lat), lon: round(o.lon) }, o.label);
  }

  function onInput() {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { closeBox(); return; }
    timer = setTimeout(function () {
      var my = ++qseq;
      suggest(q).then(function (items) {
        if (my !== qseq) return;
        closeBox();
        options = items;
        if (!items.length) { status(T.noSuggestion); return; }
        items.forEach(function (o, i) {
          var li = el("li", { id: "gw-opt-" + i, role: "option", "aria-selected": "false" }, o.label + (o.detail ? " (" + o.detail + ")" : ""));
          li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
          box.appendChild(li);
        });
        box.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status(T.suggestions(items.length));
      }, function () { if (my === qseq) { closeBox(); status(T.searchUnavailable); } });
    }, 200);
  }

  input.addEventListener("input", onInput);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && options.length) { e.preventDefault(); setActive((active + 1) % options.length); }
    else if (e.key === "ArrowUp" && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === "Enter") { e.preventDefault(); if (options.length) choose(active >= 0 ? active : 0); }
    else if (e.key === "Escape") { closeBox(); }
  });
  input.addEventListener("blur", function () { setTimeout(closeBox, 150); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  locateBtn.addEventListener("click", locate);

  // --- embedding: report the content height to the parent page -----------

  if (window.parent !== window && "ResizeObserver" in window) {
    var last = 0;
    new ResizeObserver(function () {
      var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (h !== last) { last = h; window.parent.postMessage({ type: "guichet-widget:height", height: h }, "*"); }
    }).observe(document.documentElement);
  }

  // --- start ------------------------------------------------------------

  if ("geolocation" in navigator) locateBtn.hidden = false;
  if (cfg.lat != null && cfg.lon != null) {
    form.hidden = false;
    search({ lat: cfg.lat, lon: cfg.lon }, T.startPoint);
  } else {
    locate();
  }
})();
