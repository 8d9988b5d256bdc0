// Incident board map: offline county boundaries plus open incidents coloured by grade.
(function () {
  "use strict";
  const el = document.getElementById("board-map");
  if (!el || !window.L) return;
  const map = L.map(el, { minZoom: 5, maxZoom: 18 }).setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  map.attributionControl.setPrefix(false);
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c])); }
  let points = null;
  function loadPoints() {
    return fetch(el.dataset.geojson, { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
      if (points) map.removeLayer(points);
      points = L.geoJSON(data, {
        pointToLayer: (f, ll) => L.circleMarker(ll, { radius: 9, color: f.properties.color, fillOpacity: 0.85 }),
        onEachFeature: (f, l) => l.bindPopup("<b>" + esc(f.properties.name) + "</b><br>" + esc(f.properties.popup) + '<br><a href="' + esc(f.properties.url) + '">详情</a>'),
      }).addTo(map);
    });
  }
  fetch(window.yingjiApi("divisions/geojson?level=county"), { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
    const layer = L.geoJSON(data, { style: { color: "#0d3b66", weight: 1.5, fillColor: "#dbe7f3", fillOpacity: 0.5 } }).addTo(map);
    if (layer.getLayers().length) map.fitBounds(layer.getBounds(), { animate: false });
    return loadPoints();
  }).then(() => el.setAttribute("data-ready", "1"));
  document.addEventListener("yingji:incidents", loadPoints);
})();
