// guichet widget map: Leaflet with the configured tiles, one numbered pin
// per station and a ring at the search point. Loaded by app.js only when
// the reader asks for the map.
(function (L) {
  "use strict";
  // guichetMap draws into container; onPick(i) is called when pin i is
  // chosen, by click or keyboard.
  window.guichetMap = function (container, tileURL, attribution, onPick) {
    var map = L.map(container, { zoomControl: true, attributionControl: true, scrollWheelZoom: false });
    L.tileLayer(tileURL, { maxZoom: 19, subdomains: "abc", attribution: attribution.replace(/[<>&]/g, "") }).addTo(map);
    var layer = L.layerGroup().addTo(map);
    return {
      show: function (from, stations) {
        layer.clearLayers();
        var pts = [[from.lat, from.lon]];
        L.circleMarker([from.lat, from.lon], { radius: 12, color: "#c1121f", weight: 4, fill: false, interactive: false }).addTo(layer);
        stations.forEach(function (st, i) {
          var ll = [st.location.lat, st.location.lon];
          pts.push(ll);
          var icon = L.divIcon({ className: "gw-leaflet-pin", html: String(i + 1), iconSize: [26, 26], iconAnchor: [13, 13] });
          var m = L.marker(ll, { icon: icon, title: (i + 1) + ". " + st.name, alt: (i + 1) + ". " + st.name, keyboard: true });
          // Click, or Enter on the focused pin; after Leaflet has handled
          // the event, which may focus the map.
          m.on("click keypress", function (e) {
            if (e.type === "click" || (e.originalEvent && e.originalEvent.keyCode === 13)) setTimeout(function () { onPick(i); }, 0);
          });
          m.addTo(layer);
        });
        map.invalidateSize();
        map.fitBounds(L.latLngBounds(pts).pad(0.15), { maxZoom: 15 });
      }
    };
  };
})(window.L);
