// Maps of the coverage, allocation and evacuation pages: the incident, township shares
// (coverage gaps in red) and allocation flows, on the offline boundary layer.
(function () {
  "use strict";
  const el = document.getElementById("analysis-map");
  if (!el) return;
  const data = JSON.parse(document.getElementById("analysis-data").textContent);
  const map = window.yingjiCommand.newMap("analysis-map");
  if (data.incident) map.setView([data.incident.lat, data.incident.lon], 9);
  else map.setView([42.0, 121.7], 8);
  const done = () => el.setAttribute("data-ready", "1");
  window.yingjiCommand.boundaries(map, !data.incident).then(async () => {
    if (data.shares) {
      const res = await fetch(window.yingjiApi("divisions/geojson?level=township"), { credentials: "same-origin" });
      if (res.ok) {
        L.geoJSON(await res.json(), {
          style: (f) => {
            const share = data.shares[f.properties.code];
            if (share === undefined) return { weight: 0.5, fillOpacity: 0 };
            return { color: "#555", weight: 0.5, fillOpacity: 0.5, fillColor: share < 0.5 ? "#c62828" : share < 0.9 ? "#f9a825" : "#2e7d32" };
          },
          onEachFeature: (f, l) => {
            const share = data.shares[f.properties.code];
            if (share !== undefined) l.bindTooltip(f.properties.name + "：" + Math.round(share * 100) + "%");
          },
        }).addTo(map);
      }
    }
    if (data.incident) {
      L.circleMarker([data.incident.lat, data.incident.lon], { radius: 9, color: "#b71c1c", fillOpacity: 0.8 })
        .bindTooltip(data.incident.name).addTo(map);
    }
    (data.flows || []).forEach((f) => {
      if (!f.from || !f.to) return;
      L.polyline([[f.from[1], f.from[0]], [f.to[1], f.to[0]]], { color: "#1565c0", weight: 2 })
        .bindTooltip(f.name).addTo(map);
    });
    done();
  });
})();
