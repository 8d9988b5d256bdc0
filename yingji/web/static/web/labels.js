// District labels for every map of the console (the one-map has its own, with townships): one
// label per division at its label point (inside the area, computed by the server; the centre of
// its bounds when the feature has none), larger areas first, and a label that would overlap one
// already placed is hidden until zooming makes room.
window.yingjiLabels = (function () {
  "use strict";
  function esc(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function place(map, group) {
    const placed = [];
    group.getLayers().forEach((m) => {
      const el = m.getElement() && m.getElement().firstElementChild;
      if (!el) return;
      el.classList.remove("label-hidden");
      const r = el.getBoundingClientRect();
      const box = { left: r.left - 2, right: r.right + 2, top: r.top - 1, bottom: r.bottom + 1 };
      if (placed.some((p) => box.left < p.right && p.left < box.right && box.top < p.bottom && p.top < box.bottom)) {
        el.classList.add("label-hidden");
      } else {
        placed.push(box);
      }
    });
  }
  // ``layer``: a L.geoJSON layer of divisions; ``text(feature)``: the label (default: its name).
  function attach(map, layer, text) {
    const rows = [];
    layer.eachLayer((l) => {
      const f = l.feature, b = l.getBounds();
      const point = f.properties.label_point;
      const at = point ? [point[1], point[0]] : [b.getCenter().lat, b.getCenter().lng];
      rows.push({ at: at, size: (b.getEast() - b.getWest()) * (b.getNorth() - b.getSouth()),
                  html: esc(text ? text(f) : f.properties.name), code: f.properties.code || "" });
    });
    rows.sort((a, b) => b.size - a.size);
    const group = L.layerGroup(rows.map((r) => L.marker(r.at, {
      interactive: false, keyboard: false, zIndexOffset: -1000,
      icon: L.divIcon({ className: "division-label-wrap", iconSize: [0, 0],
                        html: '<span class="division-label division-label-county" data-code="' + esc(r.code) + '">' + r.html + "</span>" }),
    }))).addTo(map);
    let scheduled = false;
    function schedule() {
      if (scheduled) return;
      scheduled = true;
      window.requestAnimationFrame(() => { scheduled = false; place(map, group); });
    }
    map.on("zoomend moveend", schedule);
    schedule();
    return group;
  }
  return { attach: attach };
})();
