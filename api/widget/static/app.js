// guichet widget: the police stations and gendarmeries nearest to an
// address, a commune or (on the reader's request only) their position.
// No framework, no third-party request unless a tile server is configured
// and the reader opens the map.
(function () {
  "use strict";

  var cfg = JSON.parse(document.getElementById("gw-config").textContent || "{}");

  var months = {
    fr: ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    en: ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
  };
  var dict = {
    fr: {
      locate: "Utiliser ma position",
      searchLabel: "Adresse ou commune",
      searchHint: "Tapez une adresse ou une commune, puis choisissez dans la liste (flèches haut et bas, Entrée).",
      openOnly: "Ouvert maintenant uniquement",
      results: "Résultats",
      idle: "Cherchez une adresse ou une commune, ou utilisez votre position.",
      locating: "Recherche de votre position…",
      denied: "Position non disponible.",
      deniedSearch: " Cherchez une adresse ou une commune.",
      stillShown: function (place) { return " Les résultats affichés restent ceux près de " + place + "."; },
      unsupported: "La géolocalisation n’est pas disponible.",
      loading: "Recherche des lieux d’accueil les plus proches…",
      found: function (n, place) { return n + (n > 1 ? " lieux d’accueil" : " lieu d’accueil") + " près de " + place + "."; },
      foundOpen: function (n, place) { return n + (n > 1 ? " lieux d’accueil ouverts" : " lieu d’accueil ouvert") + " près de " + place + "."; },
      none: function (place) { return "Aucun lieu d’accueil trouvé près de " + place + "."; },
      noneOpen: function (place) { return "Aucun lieu d’accueil ouvert en ce moment près de " + place + "."; },
      error: "Le service ne répond pas. Réessayez dans un instant.",
      yourPosition: "votre position",
      startPoint: "ce point",
      noSuggestion: "Aucune adresse ni commune trouvée.",
      suggestions: function (n) { return n + (n > 1 ? " propositions" : " proposition") + ". Flèches haut et bas pour choisir, Entrée pour valider."; },
      searchUnavailable: "La recherche d’adresse ne répond pas pour le moment. Réessayez dans un instant.",
      open: "Ouvert", closed: "Fermé", unknown: "Horaires inconnus",
      closesAt: function (when, hm) { return "ferme " + when + "à " + hm; },
      opensAt: function (when, hm) { return "ouvre " + when + "à " + hm; },
      tomorrow: "demain ",
      days: ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
      on: function (d, m) { return "le " + d + " " + months.fr[m] + " "; },
      date: function (wd, d, m) { return wd + " " + d + " " + months.fr[m]; },
      force: { gendarmerie: "Gendarmerie", police: "Police nationale" },
      call: function (p, n) { return "Appeler " + n + " au " + p; },
      phoneUnchecked: function (p) { return "Téléphone publié : " + p + " (numéro incomplet, non proposé à l’appel)"; },
      route: "Itinéraire",
      routeTo: function (n) { return "Itinéraire vers " + n + " (nouvelle fenêtre)"; },
      appleRoute: "Plans (Apple)",
      appleRouteTo: function (n) { return "Itinéraire vers " + n + " dans Plans (nouvelle fenêtre)"; },
      website: "Site web",
      distance: function (d) { return "à " + d; },
      competentMark: "Unité compétente pour ce lieu",
      competent: function (commune, force, unit) { return "À " + commune + ", la compétence revient à la " + force + (unit ? " : " + unit : "") + "."; },
      competentUnlisted: function (force) { return "La " + force + ", compétente ici, n’a aucun lieu d’accueil dans cette liste."; },
      forceLower: { gendarmerie: "gendarmerie", police: "police nationale" },
      noStation: function (force) { return "Aucun" + (force === "gendarmerie" ? "e brigade de gendarmerie compétente n’est connue" : " commissariat de police compétent n’est connu") + " ici. En cas d’urgence, appelez le 17. Pour une atteinte aux biens dont l’auteur est inconnu : "; },
      preComplaint: "pré-plainte en ligne",
      details: "Horaires de la semaine",
      detailsFor: function (n) { return "Horaires de la semaine : " + n; },
      week: "Horaires des 7 prochains jours (heure locale du lieu)",
      today: "aujourd’hui",
      closedDay: "fermé",
      allDay: "24 h sur 24",
      holiday: function (name) { return "jour férié : " + name; },
      hoursUnknown: "Horaires non publiés.",
      detailsError: "Les horaires ne sont pas disponibles pour le moment.",
      map: function (n) { return "Schéma : votre point de recherche (cercle rouge) et " + n + " lieux d’accueil numérotés."; },
      showMap: "Afficher la carte", hideMap: "Masquer la carte",
      mapShown: "Carte : votre point de recherche (cercle rouge) et les lieux d’accueil numérotés ; Entrée sur un numéro le choisit dans la liste.",
      mapNote: "La carte charge des images depuis ",
      tiles: "Fond de carte : ",
      help: "Que faire ?",
      helpLead: "Si aucun accueil n’est ouvert ou proche, d’autres moyens existent :",
      helpItems: [
        ["Urgence : appelez le ", [["17", "tel:17"]], " (police, gendarmerie) ou le ", [["112", "tel:112"]], "."],
        ["Personnes sourdes ou malentendantes : envoyez un SMS au ", [["114", "sms:114"]], "."],
        ["Vol, dégradation, escroquerie par un inconnu : ", [["pré-plainte en ligne", "https://www.pre-plainte-en-ligne.gouv.fr/"]], ", puis rendez-vous pour signer."],
        ["Contenu illicite sur internet : ", [["Pharos", "https://www.internet-signalement.gouv.fr/"]], "."],
        ["Arnaque sur internet : plainte en ligne ", [["THESEE", "https://www.service-public.fr/P10100"]], "."],
        ["Achat frauduleux avec votre carte bancaire : ", [["Perceval", "https://www.service-public.fr/particuliers/vosdroits/R46526"]], "."]
      ],
      newWindow: " (nouvelle fenêtre)",
      decimal: ","
    },
    en: {
      locate: "Use my location",
      searchLabel: "Address or town",
      searchHint: "Type an address or a French town, then pick it from the list (up and down arrows, Enter).",
      openOnly: "Open now only",
      results: "Results",
      idle: "Search for an address or a town, or use your location.",
      locating: "Finding your location…",
      denied: "Location not available.",
      deniedSearch: " Search for an address or a town.",
      stillShown: function (place) { return " The results shown are still those near " + place + "."; },
      unsupported: "Geolocation is not available.",
      loading: "Looking for the nearest stations…",
      found: function (n, place) { return n + (n > 1 ? " stations" : " station") + " near " + place + "."; },
      foundOpen: function (n, place) { return n + (n > 1 ? " open stations" : " open station") + " near " + place + "."; },
      none: function (place) { return "No station found near " + place + "."; },
      noneOpen: function (place) { return "No station open right now near " + place + "."; },
      error: "The service is not answering. Try again in a moment.",
      yourPosition: "your location",
      startPoint: "this point",
      noSuggestion: "No address or town found.",
      suggestions: function (n) { return n + (n > 1 ? " suggestions" : " suggestion") + ". Use up and down arrows to choose, Enter to confirm."; },
      searchUnavailable: "Address search is not answering right now. Try again in a moment.",
      open: "Open", closed: "Closed", unknown: "Hours unknown",
      closesAt: function (when, hm) { return "closes " + when + "at " + hm; },
      opensAt: function (when, hm) { return "opens " + when + "at " + hm; },
      tomorrow: "tomorrow ",
      days: ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
      on: function (d, m) { return "on " + months.en[m] + " " + d + " "; },
      date: function (wd, d, m) { return wd + " " + months.en[m] + " " + d; },
      force: { gendarmerie: "Gendarmerie", police: "Police nationale" },
      call: function (p, n) { return "Call " + n + " on " + p; },
      phoneUnchecked: function (p) { return "Published phone: " + p + " (incomplete number, not offered to call)"; },
      route: "Directions",
      routeTo: function (n) { return "Directions to " + n + " (new window)"; },
      appleRoute: "Apple Maps",
      appleRouteTo: function (n) { return "Directions to " + n + " in Apple Maps (new window)"; },
      website: "Website",
      distance: function (d) { return d + " away"; },
      competentMark: "Competent unit for this place",
      competent: function (commune, force, unit) { return "In " + commune + ", the competent force is the " + force + (unit ? ": " + unit : "") + "."; },
      competentUnlisted: function (force) { return "The " + force + ", competent here, has no desk in this list."; },
      forceLower: { gendarmerie: "gendarmerie", police: "police nationale" },
      noStation: function (force) { return "No competent " + (force === "gendarmerie" ? "gendarmerie unit" : "police station") + " is known here. In an emergency, call 17. For a theft or damage by an unknown person: "; },
      preComplaint: "online pre-complaint",
      details: "Opening hours this week",
      detailsFor: function (n) { return "Opening hours this week: " + n; },
      week: "Opening hours for the next 7 days (local time of the station)",
      today: "today",
      closedDay: "closed",
      allDay: "24 hours",
      holiday: function (name) { return "public holiday: " + name; },
      hoursUnknown: "Opening hours not published.",
      detailsError: "Opening hours are not available right now.",
      map: function (n) { return "Diagram: your search point (red ring) and " + n + " numbered stations."; },
      showMap: "Show the map", hideMap: "Hide the map",
      mapShown: "Map: your search point (red ring) and the numbered stations; Enter on a number picks it in the list.",
      mapNote: "The map loads images from ",
      tiles: "Map tiles: ",
      help: "What can I do?",
      helpLead: "If no desk is open or near, there are other ways:",
      helpItems: [
        ["Emergency: call ", [["17", "tel:17"]], " (police, gendarmerie) or ", [["112", "tel:112"]], "."],
        ["Deaf or hard of hearing: text ", [["114", "sms:114"]], "."],
        ["Theft, damage or fraud by an unknown person: ", [["online pre-complaint", "https://www.pre-plainte-en-ligne.gouv.fr/"]], " (in French), then an appointment to sign it."],
        ["Illegal content online: ", [["Pharos", "https://www.internet-signalement.gouv.fr/"]], "."],
        ["Online scam: online complaint ", [["THESEE", "https://www.service-public.fr/P10100"]], "."],
        ["Fraudulent purchase with your bank card: ", [["Perceval", "https://www.service-public.fr/particuliers/vosdroits/R46526"]], "."]
      ],
      newWindow: " (new window)",
      decimal: "."
    }
  };
  var T = dict[cfg.lang] || dict.fr;

  var $ = function (id) { return document.getElementById(id); };
  var statusEl = $("gw-status"), list = $("gw-results"), form = $("gw-search"), input = $("gw-q"),
    box = $("gw-suggestions"), locateBtn = $("gw-locate"), jur = $("gw-jurisdiction"), openBox = $("gw-open"),
    mapFig = $("gw-map"), svg = $("gw-svg"), caption = $("gw-map-caption"), help = $("gw-help"),
    helpLead = $("gw-help-lead"), mapBtn = $("gw-map-toggle"), tilesEl = $("gw-tiles");

  Array.prototype.forEach.call(document.querySelectorAll("[data-i18n]"), function (e) {
    e.textContent = T[e.getAttribute("data-i18n")];
  });
  var fixedNow = cfg.at ? Date.parse(cfg.at) : null;
  function nowMs() { return fixedNow != null ? fixedNow : Date.now(); }
  var seq = 0; // discards answers to superseded searches
  var current = null; // {from, place, stations}: what the list shows

  function status(text) { statusEl.textContent = text; }
  function ready() { document.documentElement.setAttribute("data-ready", "true"); }
  function busy() { document.documentElement.removeAttribute("data-ready"); }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    for (var k in attrs) { if (attrs[k] != null) e.setAttribute(k, attrs[k]); }
    if (text != null) e.textContent = text;
    return e;
  }

  function getJSON(path) {
    return fetch(path, { headers: { Accept: "application/json" }, credentials: "omit" }).then(function (r) {
      if (!r.ok) {
        var err = new Error("HTTP " + r.status);
        err.status = r.status;
        err.retryAfter = Number(r.headers.get("Retry-After")) || 0;
        throw err;
      }
      return r.json();
    });
  }

  // getJSONRetry retries what may pass a moment later (network error, 429,
  // 5xx) twice, after 0.4 s then 1.2 s, or the server's Retry-After up to
  // 3 s. A 4xx other than 429 is the request's fault and is not retried.
  function getJSONRetry(path, attempt) {
    attempt = attempt || 0;
    return getJSON(path).catch(function (err) {
      var transient = !err.status || err.status === 429 || err.status >= 500;
      if (!transient || attempt >= 2) throw err;
      var wait = err.retryAfter ? Math.min(3000, err.retryAfter * 1000) : 400 * Math.pow(3, attempt);
      return new Promise(function (res) { setTimeout(res, wait); }).then(function () { return getJSONRetry(path, attempt + 1); });
    });
  }

  function qs(params) {
    var parts = [];
    for (var k in params) { if (params[k] != null && params[k] !== "") parts.push(k + "=" + encodeURIComponent(params[k])); }
    return parts.join("&");
  }

  // The choice of the visit: kept for the tab's life, never beyond.
  var storeKey = "guichet-widget:place";
  function remember(from, place) {
    try { sessionStorage.setItem(storeKey, JSON.stringify({ lat: from.lat, lon: from.lon, place: place, open: openBox.checked })); } catch (e) { /* storage refused: nothing remembered */ }
  }
  function remembered() {
    try {
      var v = JSON.parse(sessionStorage.getItem(storeKey) || "null");
      if (v && isFinite(v.lat) && isFinite(v.lon) && Math.abs(v.lat) <= 90 && Math.abs(v.lon) <= 180 && typeof v.place === "string") return v;
    } catch (e) { /* unreadable: ignored */ }
    return null;
  }

  // --- formatting -------------------------------------------------------

  function formatDistance(m) {
    if (m < 1000) return Math.round(m) + "\u00a0m";
    var km = m / 1000;
    var s = km < 9.95 ? km.toFixed(1) : String(Math.round(km));
    return s.replace(".", T.decimal) + "\u00a0km";
  }

  var isoRe = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::\d\d(?:\.\d+)?)?(Z|([+-])(\d\d):(\d\d))$/;

  // state reads a station's state now from a full or compact answer.
  function stateOf(st) {
    var s = st.hours && st.hours.status;
    return s && (s.state === "open" || s.state === "closed") ? s.state : "unknown";
  }
  // neverOpen: closed with no change ahead, as "Pas d'accueil du public".
  function neverOpen(st) {
    var s = st.hours && st.hours.status;
    return stateOf(st) === "closed" && s.next_change == null;
  }

  // hoursBadge returns the text of a station's state. Times are shown in
  // the station's own zone, read from the offset of next_change.
  function hoursBadge(st) {
    var s = st.hours && st.hours.status, state = stateOf(st), text = T[state];
    var m = s && typeof s.next_change === "string" && isoRe.exec(s.next_change);
    if (state === "unknown" || !m) return text;
    var off = m[6] === "Z" ? 0 : (m[7] === "-" ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9]));
    var local = new Date(nowMs() + off * 60000);
    var today = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
    var day = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    var diff = Math.round((day - today) / 86400000);
    var when = diff <= 0 ? "" : diff === 1 ? T.tomorrow : diff < 7 ? T.days[new Date(day).getUTCDay()] + " " : T.on(Number(m[3]), Number(m[2]) - 1);
    var hm = m[4] + ":" + m[5];
    return text + " · " + (state === "open" ? T.closesAt(when, hm) : T.opensAt(when, hm));
  }

  var ua = navigator.userAgent;
  var iOS = /iPhone|iPad|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);

  // Google's directions URL opens the Maps app on Android and iOS when it
  // is installed, and the web otherwise; iOS readers also get Apple Plans.
  function routeURL(st) {
    return "https://www.google.com/maps/dir/?api=1&destination=" + encodeURIComponent(st.location.lat + "," + st.location.lon);
  }
  function appleRouteURL(st) {
    return "https://maps.apple.com/?daddr=" + encodeURIComponent(st.location.lat + "," + st.location.lon) + "&q=" + encodeURIComponent(st.name);
  }

  var e164 = /^\+[1-9]\d{6,14}$/;
  // displayPhone groups an E.164 number as it is read: French numbers in
  // pairs after the leading 0 ("04 76 05 01 83"), others after the country code.
  function displayPhone(p) {
    var fr = /^\+33(\d{9})$/.exec(p);
    if (fr) return ("0" + fr[1]).replace(/(\d\d)(?=\d)/g, "$1 ");
    var ovs = /^\+(590|594|596|262|269|508|681|687|689)(\d+)$/.exec(p);
    if (ovs) return "+" + ovs[1] + " " + ovs[2].replace(/(\d\d)(?=\d)/g, "$1 ");
    return p;
  }

  // --- results ----------------------------------------------------------

  var competentIds = {};

  function render(from, place, stations) {
    list.textContent = "";
    stations.forEach(function (st, i) {
      var state = stateOf(st);
      var titleId = "gw-st-" + i;
      var li = el("li", { "class": "gw-item", tabindex: "0", "aria-labelledby": titleId, "data-id": st.id, "data-state": state, "data-distance-m": st.distance_m });
      var h = el("h3", { id: titleId });
      h.appendChild(el("span", { "class": "gw-num", "aria-hidden": "true" }, String(i + 1)));
      h.appendChild(el("span", null, st.name));
      li.appendChild(h);
      var mark = el("p", { "class": "gw-competent", hidden: competentIds[st.id] ? null : "" }, T.competentMark);
      li.appendChild(mark);
      var forceName = T.force[st.force] || st.force;
      li.appendChild(el("p", { "class": "gw-meta" }, forceName + (st.distance_m != null ? " · " + T.distance(formatDistance(st.distance_m)) : "")));
      li.appendChild(el("p", { "class": "gw-badge", "data-state": state }, hoursBadge(st)));
      var a = st.address || {};
      var addr = [a.street, [a.postcode, a.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
      if (addr) li.appendChild(el("p", { "class": "gw-addr" }, addr));
      var links = el("p", { "class": "gw-links" });
      if (st.phone && e164.test(st.phone)) {
        var shown = displayPhone(st.phone);
        links.appendChild(el("a", { href: "tel:" + st.phone, "aria-label": T.call(shown, st.name) }, shown));
      }
      links.appendChild(el("a", { href: routeURL(st), target: "_blank", rel: "noopener noreferrer", "aria-label": T.routeTo(st.name), "class": "gw-route" }, T.route));
      if (iOS) links.appendChild(el("a", { href: appleRouteURL(st), target: "_blank", rel: "noopener noreferrer", "aria-label": T.appleRouteTo(st.name), "class": "gw-route-apple" }, T.appleRoute));
      if (st.url && /^https?:\/\//.test(st.url)) links.appendChild(el("a", { href: st.url, target: "_blank", rel: "noopener noreferrer" }, T.website));
      li.appendChild(links);
      if (!st.phone && st.phone_text) li.appendChild(el("p", { "class": "gw-addr gw-phone-text" }, T.phoneUnchecked(st.phone_text)));
      var det = el("div", { "class": "gw-details", id: "gw-det-" + i, hidden: "" });
      var btn = el("button", { type: "button", "class": "gw-more", "aria-expanded": "false", "aria-controls": det.id, "aria-label": T.detailsFor(st.name) }, T.details);
      btn.addEventListener("click", function () { toggleDetails(btn, det, st); });
      li.appendChild(btn);
      li.appendChild(det);
      li.addEventListener("focus", function () { highlight(i); });
      li.addEventListener("mouseenter", function () { highlight(i); });
      list.appendChild(li);
    });
    list.setAttribute("data-lat", from.lat);
    list.setAttribute("data-lon", from.lon);
    drawDiagram(from, stations);
    if (leaflet) leaflet.show(from, stations);
  }

  function highlight(i) {
    Array.prototype.forEach.call(document.querySelectorAll(".gw-active"), function (e) { e.classList.remove("gw-active"); });
    var item = list.children[i], pin = svg.querySelector('[data-index="' + i + '"]');
    if (item) item.classList.add("gw-active");
    if (pin) pin.classList.add("gw-active");
  }

  // showJurisdiction names the competent force and unit and marks the
  // listed station that is it.
  function showJurisdiction(j) {
    jur.textContent = "";
    competentIds = {};
    if (!j || !j.commune) { jur.hidden = true; markCompetent(); return; }
    var comp = j.competent || [];
    comp.forEach(function (c) {
      var id = (c.station && c.station.id) || c.station_id;
      if (id) competentIds[id] = true;
    });
    var c0 = comp[0] || {};
    var force = c0.force || j.force;
    var unit = c0.station && c0.station.name ? c0.station.name : "";
    jur.appendChild(el("p", null, T.competent(j.commune.name || j.commune.code, T.forceLower[force] || force || "?", unit)));
    // The listed stations are merely the nearest: say so when the
    // competent force has none, rather than let them pass for it.
    (j.no_station || []).forEach(function (n) {
      var p = el("p", { "class": "gw-no-station" }, T.noStation(n.force));
      (n.alternatives || []).forEach(function (a) {
        if (a.kind === "online_pre_complaint" && /^https:\/\//.test(a.url)) {
          p.appendChild(el("a", { href: a.url, target: "_blank", rel: "noopener noreferrer" }, T.preComplaint));
          p.appendChild(document.createTextNode("."));
        }
      });
      jur.appendChild(p);
    });
    jur.hidden = false;
    markCompetent();
  }
  function markCompetent() {
    Array.prototype.forEach.call(list.children, function (li) {
      var m = li.querySelector(".gw-competent");
      if (m) m.hidden = !competentIds[li.getAttribute("data-id")];
      li.classList.toggle("gw-is-competent", !!competentIds[li.getAttribute("data-id")]);
    });
  }

  // The "Que faire ?" links: official services only.
  T.helpItems.forEach(function (parts) {
    var li = el("li");
    parts.forEach(function (p) {
      if (typeof p === "string") { li.appendChild(document.createTextNode(p)); return; }
      p.forEach(function (ln) {
        var web = /^https:/.test(ln[1]);
        li.appendChild(el("a", web ? { href: ln[1], target: "_blank", rel: "noopener noreferrer", "aria-label": ln[0] + T.newWindow } : { href: ln[1] }, ln[0]));
      });
    });
    $("gw-help-list").appendChild(li);
  });

  // showHelp opens "Que faire ?" with a plain sentence when no listed desk
  // is open, the competent unit has none, or the service is down.
  function showHelp(reason) {
    helpLead.textContent = reason ? reason + " " + T.helpLead : T.helpLead;
    help.open = !!reason;
    help.classList.toggle("gw-help-urgent", !!reason);
  }

  function search(from, place) {
    var my = ++seq;
    busy();
    status(T.loading);
    list.setAttribute("aria-busy", "true");
    var openNow = openBox.checked;
    // More stations than shown: those that never receive the public are
    // not places to go and are dropped here.
    // The fields the list shows: the compact station, less today's ranges,
    // plus the published phone text and the web page.
    var q = qs({ lat: from.lat, lon: from.lon, limit: Math.min(100, cfg.limit * 3 + 5), force: cfg.force, open: openNow ? (cfg.at || "now") : "", at: cfg.at,
      fields: "name,force,address.street,address.postcode,address.city,phone,phone_text,url,location,distance_m,hours.status" });
    var stations = getJSONRetry("v1/stations/nearest?" + q).then(function (body) {
      if (my !== seq) return null;
      var sts = ((body && body.stations) || []).filter(function (s) { return !neverOpen(s) && (!openNow || stateOf(s) === "open"); }).slice(0, cfg.limit);
      current = { from: from, place: place, stations: sts };
      render(from, place, sts);
      return sts;
    }, function () {
      if (my !== seq) return null;
      list.textContent = "";
      current = null;
      mapFig.hidden = true;
      status(T.error);
      showHelp(T.error);
      return null;
    });
    var j = getJSONRetry("v1/jurisdiction?" + qs({ lat: from.lat, lon: from.lon })).then(null, function () { return null; });
    return Promise.all([stations, j]).then(function (r) {
      if (my !== seq) return;
      var sts = r[0];
      var j = r[1];
      showJurisdiction(j);
      list.removeAttribute("aria-busy");
      if (sts) {
        var anyOpen = sts.some(function (s) { return stateOf(s) === "open"; });
        // The competent force has no desk among those listed (only
        // gendarmeries near a police zone, or the partner's force filter).
        var force = j && j.force;
        var unlisted = force && !sts.some(function (s) { return s.force === force; });
        status(!sts.length ? (openNow ? T.noneOpen(place) : T.none(place)) : openNow ? T.foundOpen(sts.length, place) : T.found(sts.length, place));
        showHelp(!anyOpen ? T.noneOpen(place) : unlisted ? T.competentUnlisted(T.forceLower[force] || force) : "");
      }
      ready();
    });
  }

  // --- per-station details ------------------------------------------------

  // localParts returns the wall-clock date and time of instant ms in zone tz.
  function localParts(ms, tz) {
    var f = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    var p = {};
    f.formatToParts(new Date(ms)).forEach(function (x) { p[x.type] = Number(x.value); });
    return p;
  }
  // naive reads the wall-clock part of an RFC 3339 time as UTC milliseconds.
  function naive(s) {
    var m = isoRe.exec(s);
    return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : NaN;
  }

  function toggleDetails(btn, det, st) {
    var open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    det.hidden = !open;
    if (!open || det.getAttribute("data-loaded")) return;
    det.setAttribute("data-loaded", "loading");
    busy();
    getJSONRetry("v1/stations/" + encodeURIComponent(st.id) + "?" + qs({ at: cfg.at })).then(function (full) {
      var tz = (full.hours && full.hours.timezone) || "Europe/Paris";
      if (stateOf(full) === "unknown" && !(full.hours && full.hours.week || []).some(function (d) { return d.open && d.open.length; })) {
        det.appendChild(el("p", null, T.hoursUnknown));
        return null;
      }
      var now = nowMs(), p = localParts(now, tz);
      var midnight = now - ((p.hour * 60 + p.minute) * 60 + p.second) * 1000 - (now % 1000);
      var from = new Date(midnight).toISOString().replace(/\.\d+Z$/, "Z");
      var to = new Date(midnight + 7 * 86400000).toISOString().replace(/\.\d+Z$/, "Z");
      return getJSONRetry("v1/stations/" + encodeURIComponent(st.id) + "/hours?" + qs({ from: from, to: to })).then(function (iv) {
        renderWeek(det, p, iv);
      });
    }).then(function () { det.setAttribute("data-loaded", "true"); ready(); }, function () {
      det.textContent = "";
      det.appendChild(el("p", null, T.detailsError));
      det.removeAttribute("data-loaded");
      ready();
    });
  }

  // renderWeek lists the next 7 days from today in the station's zone: its
  // open ranges, today marked, public holidays named.
  function renderWeek(det, today, iv) {
    var day0 = Date.UTC(today.year, today.month - 1, today.day);
    var holidays = {};
    (iv.holidays || []).forEach(function (h) { holidays[h.date] = h.name; });
    var spans = (iv.intervals || []).map(function (x) { return [naive(x.start), naive(x.end)]; });
    var table = el("table", { "class": "gw-week" });
    table.appendChild(el("caption", null, T.week));
    var tbody = el("tbody");
    for (var k = 0; k < 7; k++) {
      var a = day0 + k * 86400000, b = a + 86400000, d = new Date(a);
      var ranges = [];
      spans.forEach(function (s) {
        var lo = Math.max(s[0], a), hi = Math.min(s[1], b);
        if (hi > lo) ranges.push([lo - a, hi - a]);
      });
      var text = !ranges.length ? T.closedDay : ranges.length === 1 && ranges[0][0] === 0 && ranges[0][1] === 86400000 ? T.allDay :
        ranges.map(function (r) { return hm(r[0]) + "–" + hm(r[1]); }).join(", ");
      var iso = d.toISOString().slice(0, 10);
      var tr = el("tr", { "data-date": iso, "class": k === 0 ? "gw-today" : null, "aria-current": k === 0 ? "date" : null });
      var th = el("th", { scope: "row" }, T.date(T.days[d.getUTCDay()], d.getUTCDate(), d.getUTCMonth()));
      if (k === 0) th.appendChild(el("span", { "class": "gw-today-mark" }, " (" + T.today + ")"));
      tr.appendChild(th);
      var td = el("td", null, text);
      if (holidays[iso]) td.appendChild(el("span", { "class": "gw-holiday" }, " — " + T.holiday(holidays[iso])));
      tr.appendChild(td);
      tbody.appendChild(tr);
    }
    table.appendChild(tbody);
    det.appendChild(table);
  }
  function hm(ms) {
    var m = Math.round(ms / 60000);
    return String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
  }

  // --- diagram ------------------------------------------------------------

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

  // drawDiagram places the stations around the search point on a plain
  // grid: no tiles, no request.
  function drawDiagram(from, stations) {
    var W = 400, H = 280, pad = 24;
    svg.textContent = "";
    var pts = stations.map(function (st) { return [mx(st.location.lon), my(st.location.lat)]; });
    var here = [mx(from.lon), my(from.lat)];
    var all = pts.concat([here]);
    var xs = all.map(function (p) { return p[0]; }), ys = all.map(function (p) { return p[1]; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var minSpan = 2e-5; // about 800 m: a single point still gets a sensible scale
    var scale = Math.min((W - 2 * pad) / Math.max(x1 - x0, minSpan), (H - 2 * pad) / Math.max(y1 - y0, minSpan));
    var cx = (x0 + x1) / 2, cy = (y0 + y1) / 2;
    function px(p) { return [W / 2 + (p[0] - cx) * scale, H / 2 + (p[1] - cy) * scale]; }
    var g = s("g", { "class": "gw-grid", "aria-hidden": "true" });
    for (var gx = 40; gx < W; gx += 40) g.appendChild(s("line", { x1: gx, y1: 0, x2: gx, y2: H }));
    for (var gy = 40; gy < H; gy += 40) g.appendChild(s("line", { x1: 0, y1: gy, x2: W, y2: gy }));
    svg.appendChild(g);
    var h = px(here); // under the pins, so that their numbers stay readable
    svg.appendChild(s("circle", { "class": "gw-here", cx: h[0].toFixed(1), cy: h[1].toFixed(1), r: 16, "aria-hidden": "true" }));
    for (var i = pts.length - 1; i >= 0; i--) {
      var q = px(pts[i]);
      var pin = s("g", { "class": "gw-pin", "data-index": i, "aria-hidden": "true" });
      pin.appendChild(s("circle", { cx: q[0].toFixed(1), cy: q[1].toFixed(1), r: 10 }));
      pin.appendChild(s("text", { x: q[0].toFixed(1), y: q[1].toFixed(1) }, String(i + 1)));
      svg.appendChild(pin);
    }
    caption.textContent = tilesEl.hidden ? T.map(stations.length) : T.mapShown;
    mapFig.hidden = stations.length === 0;
  }

  // --- opt-in map -----------------------------------------------------------

  // The map script is loaded on the reader's click only: until then no
  // tile and no map code is requested.
  var leaflet = null;
  if (cfg.tile_url && cfg.map_script) {
    mapBtn.hidden = false;
    mapBtn.textContent = T.showMap;
    var host = (String(cfg.tile_url).split("/")[2] || "").replace("{s}.", "");
    $("gw-map-note").textContent = T.mapNote + host + ".";
    $("gw-map-note").hidden = false;
    mapBtn.addEventListener("click", function () {
      var show = mapBtn.getAttribute("aria-expanded") !== "true";
      mapBtn.setAttribute("aria-expanded", show ? "true" : "false");
      mapBtn.textContent = show ? T.hideMap : T.showMap;
      tilesEl.hidden = !show;
      svg.style.display = show ? "none" : "";
      caption.textContent = show ? T.mapShown : T.map(current ? current.stations.length : 0);
      if (!show) return;
      busy();
      loadStyle(cfg.map_style);
      loadScript(cfg.map_script).then(function () {
        if (!leaflet) leaflet = window.guichetMap(tilesEl, cfg.tile_url, T.tiles + host, function (i) { highlight(i); var li = list.children[i]; if (li) li.focus(); });
        if (current) leaflet.show(current.from, current.stations);
        ready();
      }, function () { tilesEl.hidden = true; svg.style.display = ""; ready(); });
    });
  }
  function loadStyle(href) {
    if (!href || document.querySelector('link[href="' + href + '"]')) return;
    document.head.appendChild(el("link", { rel: "stylesheet", href: href }));
  }
  function loadScript(src) {
    if (window.guichetMap) return Promise.resolve();
    return new Promise(function (res, rej) {
      var sc = document.createElement("script");
      sc.src = src; sc.onload = res; sc.onerror = rej;
      document.head.appendChild(sc);
    });
  }

  // --- position -----------------------------------------------------------

  // locate runs on the reader's click only. Whatever happens, the status
  // line says what the list below shows.
  function locate() {
    if (!("geolocation" in navigator)) { status(T.unsupported + afterFailure()); return; }
    busy();
    status(T.locating);
    navigator.geolocation.getCurrentPosition(function (pos) {
      var from = { lat: round(pos.coords.latitude), lon: round(pos.coords.longitude) };
      input.value = "";
      remember(from, T.yourPosition);
      search(from, T.yourPosition);
    }, function () {
      status(T.denied + afterFailure());
      ready();
    }, { timeout: 10000, maximumAge: 300000 });
  }
  function afterFailure() {
    return current && current.stations.length ? T.stillShown(current.place) : T.deniedSearch;
  }
  function round(v) { return Math.round(v * 1e5) / 1e5; }

  // --- address and commune search ------------------------------------------

  // suggest asks /v1/geocode, retrying a failure that may pass; a failure
  // that persists is said plainly and the next keystroke asks again.
  function suggest(q) {
    return getJSONRetry("v1/geocode?" + qs({ q: q, autocomplete: 1, limit: 7 })).then(function (body) {
      return ((body && body.features) || []).map(function (f) {
        var p = f.properties || {}, c = (f.geometry && f.geometry.coordinates) || [];
        var detail = p.type === "municipality" ? p.postcode || p.context || "" : [p.postcode, p.city].filter(Boolean).join(" ");
        return { label: p.type === "municipality" ? p.city || p.name || p.label : p.name || p.label, detail: detail, lat: Number(c[1]), lon: Number(c[0]) };
      }).filter(function (o) { return o.label && isFinite(o.lat) && isFinite(o.lon); });
    }, function (err) {
      if (err.status === 400) return [];
      throw err;
    });
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
    var place = o.label + (o.detail ? " (" + o.detail + ")" : "");
    input.value = o.label;
    closeBox();
    var from = { lat: round(o.lat), lon: round(o.lon) };
    remember(from, place);
    search(from, place);
  }

  function onInput() {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { closeBox(); return; }
    timer = setTimeout(function () {
      var my = ++qseq;
      busy();
      suggest(q.slice(0, 200)).then(function (items) {
        if (my !== qseq) return;
        closeBox();
        options = items;
        ready();
        if (!items.length) { status(T.noSuggestion); return; }
        items.forEach(function (o, i) {
          var li = el("li", { id: "gw-opt-" + i, role: "option", "aria-selected": "false" }, o.label + (o.detail ? " (" + o.detail + ")" : ""));
          li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
          box.appendChild(li);
        });
        box.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status(T.suggestions(items.length));
      }, function () { if (my === qseq) { closeBox(); status(T.searchUnavailable); ready(); } });
    }, 200);
  }

  input.addEventListener("input", onInput);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && options.length) { e.preventDefault(); setActive((active + 1) % options.length); }
    else if (e.key === "ArrowUp" && options.length) { e.preventDefault(); setActive(active <= 0 ? options.length - 1 : active - 1); }
    else if (e.key === "Enter") { e.preventDefault(); if (options.length) choose(active >= 0 ? active : 0); }
    else if (e.key === "Escape" && !box.hidden) { e.preventDefault(); closeBox(); }
  });
  input.addEventListener("blur", function () { setTimeout(closeBox, 150); });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  locateBtn.addEventListener("click", locate);
  openBox.addEventListener("change", function () {
    if (current) { remember(current.from, current.place); search(current.from, current.place); }
  });

  // --- embedding: report the content height to the parent page -----------

  // The suggestion list is in the flow, so the document's height includes
  // it: the iframe grows while the list is open.
  if (window.parent !== window && "ResizeObserver" in window) {
    var last = 0;
    new ResizeObserver(function () {
      var h = Math.ceil(document.documentElement.getBoundingClientRect().height);
      if (h !== last) { last = h; window.parent.postMessage({ type: "guichet-widget:height", height: h }, "*"); }
    }).observe(document.documentElement);
  }

  // --- start ------------------------------------------------------------

  // The position is asked for only when the reader clicks: a start point
  // from the partner, else the choice made earlier in this visit, else
  // nothing until the reader searches.
  showHelp("");
  if ("geolocation" in navigator) locateBtn.hidden = false;
  openBox.checked = !!cfg.open;
  var before = remembered();
  if (cfg.lat != null && cfg.lon != null) {
    search({ lat: cfg.lat, lon: cfg.lon }, T.startPoint);
  } else if (before) {
    openBox.checked = !!before.open || !!cfg.open;
    search({ lat: before.lat, lon: before.lon }, before.place);
  } else {
    status(T.idle);
    ready();
  }
})();
