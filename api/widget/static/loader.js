// guichet widget loader. A partner page includes
//   <script src="https://GUICHET/widget.js" data-force="gendarmerie" async></script>
// and this script inserts the widget iframe right after itself, from the
// same origin as its own src, and keeps the iframe as tall as its content.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    script = all[all.length - 1];
  }
  if (!script || script.getAttribute("data-guichet-loaded")) return;
  script.setAttribute("data-guichet-loaded", "true");

  var src = new URL(script.src, document.baseURI);
  var page = new URL("widget", src);
  ["force", "limit", "lang", "open", "theme", "lat", "lon", "at"].forEach(function (k) {
    var v = script.getAttribute("data-" + k);
    if (v != null && v !== "") page.searchParams.set(k, v);
  });
  var lang = page.searchParams.get("lang") === "en" ? "en" : "fr";

  var frame = document.createElement("iframe");
  frame.src = page.href;
  frame.title = script.getAttribute("data-title") ||
    (lang === "en" ? "Find a police or gendarmerie station" : "Trouver un commissariat ou une gendarmerie");
  frame.setAttribute("allow", "geolocation");
  frame.setAttribute("loading", "lazy");
  frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
  frame.style.cssText = "display:block;width:100%;max-width:100%;border:0;min-width:280px;height:" +
    (parseInt(script.getAttribute("data-height"), 10) || 480) + "px";
  script.parentNode.insertBefore(frame, script.nextSibling);

  window.addEventListener("message", function (e) {
    if (e.origin !== src.origin || e.source !== frame.contentWindow) return;
    var d = e.data;
    if (d && d.type === "guichet-widget:height" && typeof d.height === "number" && d.height > 0 && d.height < 20000) {
      frame.style.height = Math.ceil(d.height) + "px";
    }
  });
})();
