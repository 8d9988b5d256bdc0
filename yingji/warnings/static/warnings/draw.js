// Compose form: draw the warning's polygon on an offline map (click vertices), show the
// selected divisions and the circle. Stores [[lon, lat], ...] in the hidden area_polygon field.
(function () {
  "use strict";
  const field = document.querySelector("input[name=area_polygon]");
  const status = document.getElementById("draw-status");
  const map = L.map("area-map", { minZoom: 5, maxZoom: 16 });
  map.attributionControl.setPrefix(false);
  map.setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  window.yingjiAreaMap = map;
  let points = [];
  let drawing = false;
  const shapeLayer = L.layerGroup().addTo(map);
  const circleLayer = L.layerGroup().addTo(map);

  function load() { try { points = JSON.parse(field.value || "[]").map((p) => [p[1], p[0]]); } catch (e) { points = []; } }
  function render() {
    shapeLayer.clearLayers();
    if (points.length >= 3) L.polygon(points, { color: "#c62828" }).addTo(shapeLayer);
    else if (points.length) L.polyline(points, { color: "#c62828", dashArray: "4 3" }).addTo(shapeLayer);
    points.forEach((p) => L.circleMarker(p, { radius: 3, color: "#c62828" }).addTo(shapeLayer));
    field.value = points.length ? JSON.stringify(points.map((p) => [Number(p[1].toFixed(6)), Number(p[0].toFixed(6))])) : "";
    status.textContent = drawing ? "绘制中：已选 " + points.length + " 个顶点" : (points.length >= 3 ? "多边形：" + points.length + " 个顶点" : "");
  }
  function renderCircle() {
    circleLayer.clearLayers();
    const lon = parseFloat(document.querySelector("[name=circle_lon]").value);
    const lat = parseFloat(document.querySelector("[name=circle_lat]").value);
    const r = parseFloat(document.querySelector("[name=circle_radius_km]").value);
    if (!isNaN(lon) && !isNaN(lat) && r > 0) L.circle([lat, lon], { radius: r * 1000, color: "#ef6c00" }).addTo(circleLayer);
  }
  map.on("click", (e) => { if (drawing) { points.push([e.latlng.lat, e.latlng.lng]); render(); } });
  document.getElementById("draw-start").addEventListener("click", () => { drawing = true; points = []; render(); });
  document.getElementById("draw-finish").addEventListener("click", () => { drawing = false; render(); });
  document.getElementById("draw-clear").addEventListener("click", () => { drawing = false; points = []; render(); });
  ["circle_lon", "circle_lat", "circle_radius_km"].forEach((n) => document.querySelector("[name=" + n + "]").addEventListener("change", renderCircle));

  fetch(window.yingjiApi("divisions/geojson?level=county"), { credentials: "same-origin" }).then((r) => r.json()).then((data) => {
    const layer = L.geoJSON(data, {
      style: { color: "#0d3b66", weight: 1.5, fillColor: "#dbe7f3", fillOpacity: 0.4 },
    }).addTo(map);
    if (data.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false });
    window.yingjiLabels.attach(map, layer);
    document.getElementById("area-map").setAttribute("data-ready", "1");
  });
  load(); render(); renderCircle();
})();
