// Road closures: click the map to pick a road position; active closures drawn in red.
(function () {
  "use strict";
  const map = window.yingjiCommand.newMap("roads-map");
  const closures = JSON.parse(document.getElementById("closure-data").textContent);
  map.setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
  let picked = null;
  window.yingjiCommand.boundaries(map, true).then(async () => {
    const res = await fetch(window.yingjiApi("roads/closures/geojson"), { credentials: "same-origin" });
    if (res.ok) {
      L.geoJSON(await res.json(), { style: { color: "#b71c1c", weight: 6 },
        onEachFeature: (f, l) => l.bindTooltip(f.properties.name + "：" + f.properties.popup) }).addTo(map);
    }
    document.getElementById("roads-map").setAttribute("data-ready", String(closures.length + 1));
  });
  map.on("click", (ev) => {
    const { lat, lng } = ev.latlng;
    document.getElementById("close-lon").value = lng.toFixed(6);
    document.getElementById("close-lat").value = lat.toFixed(6);
    document.getElementById("close-point").textContent = lng.toFixed(5) + ", " + lat.toFixed(5);
    if (picked) map.removeLayer(picked);
    picked = L.circleMarker([lat, lng], { radius: 8, color: "#b71c1c" }).addTo(map);
  });
})();
