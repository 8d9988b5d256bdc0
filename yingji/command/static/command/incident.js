// Incident command map: the scene, the nearest standby teams with their road routes, and
// the routes of teams and materials already dispatched (drawn thicker).
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("command-data").textContent);
  const el = document.getElementById("command-map");
  const map = window.yingjiCommand.newMap("command-map");
  window.yingjiCommandMap = map;
  const bounds = [];
  const inc = data.incident;
  map.setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  window.yingjiCommand.boundaries(map, inc.lon == null).then(() => {
    if (inc.lon != null) {
      L.circleMarker([inc.lat, inc.lon], { radius: 10, color: "#c62828", fillOpacity: 0.9, className: "incident-marker" })
        .bindTooltip("事发点：" + inc.name).addTo(map);
      bounds.push([inc.lat, inc.lon]);
    }
    data.nearest.forEach((r, i) => {
      if (!r.route || r.route.length < 2) return;
      const line = r.route.map((c) => [c[1], c[0]]);
      L.polyline(line, { color: "#78909c", weight: 2, dashArray: "4 4", className: "nearest-route" })
        .bindTooltip((i + 1) + ". " + r.name + "：约 " + Math.round(r.minutes) + " 分钟").addTo(map);
      L.circleMarker([r.lat, r.lon], { radius: 6, color: "#2e7d32", fillOpacity: 0.8 }).bindTooltip(r.name).addTo(map);
      line.forEach((p) => bounds.push(p));
    });
    data.dispatches.forEach((d) => {
      if (!d.route || d.route.length < 2) return;
      const line = d.route.map((c) => [c[1], c[0]]);
      L.polyline(line, { color: "#1565c0", weight: 5, className: "dispatch-route" })
        .bindTooltip(d.name + "（" + d.state_label + "）", { permanent: true, className: "dispatch-label" }).addTo(map);
      line.forEach((p) => bounds.push(p));
    });
    if (bounds.length) map.fitBounds(L.latLngBounds(bounds), { padding: [20, 20], maxZoom: 13, animate: false });
    el.setAttribute("data-ready", "1");
  }).catch((err) => el.setAttribute("data-error", String(err)));
  // Live task/dispatch news from other users: offer a refresh instead of reloading under the user's hands.
  document.addEventListener("yingji:tasks", (ev) => {
    const note = document.getElementById("live-note");
    if (!note) return;
    note.hidden = false;
    note.querySelector("span").textContent = (ev.detail && ev.detail.text) || "任务或调度有更新";
  });
})();
