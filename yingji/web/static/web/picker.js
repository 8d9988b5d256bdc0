// Location picker and detail mini-map: click the map to fill 经度/纬度 (WGS-84).
(function () {
  "use strict";
  function boundaries(map, fit) {
    return fetch(window.yingjiApi("divisions/geojson?level=county"), { credentials: "same-origin" })
      .then((r) => r.json())
      .then((data) => {
        const layer = L.geoJSON(data, { style: { color: "#0d3b66", weight: 1.5, fillColor: "#dbe7f3", fillOpacity: 0.5 } }).addTo(map);
        if (fit && layer.getLayers().length) map.fitBounds(layer.getBounds());
      });
  }
  const detail = document.getElementById("detail-map");
  if (detail) {
    const lat = parseFloat(detail.dataset.lat), lon = parseFloat(detail.dataset.lon);
    const map = L.map(detail, { minZoom: 5, maxZoom: 18 }).setView([lat, lon], 10);
    map.attributionControl.setPrefix(false);
    boundaries(map, false).then(() => L.marker([lat, lon]).addTo(map));
  }
  const picker = document.getElementById("picker-map");
  if (picker) {
    const lonInput = document.querySelector("[name=lon]");
    const latInput = document.querySelector("[name=lat]");
    const map = L.map(picker, { minZoom: 5, maxZoom: 18 }).setView((document.body.dataset.mapCentre || "42.0,121.7").split(",").map(Number), Number(document.body.dataset.mapZoom || 8));
    map.attributionControl.setPrefix(false);
    let marker = null;
    function place(lat, lon) {
      if (marker) marker.setLatLng([lat, lon]); else marker = L.marker([lat, lon]).addTo(map);
    }
    const hasPoint = lonInput.value && latInput.value;
    boundaries(map, !hasPoint).then(() => {
      if (hasPoint) { place(parseFloat(latInput.value), parseFloat(lonInput.value)); map.setView([parseFloat(latInput.value), parseFloat(lonInput.value)], 10); }
    });
    map.on("click", (e) => {
      lonInput.value = e.latlng.lng.toFixed(6);
      latInput.value = e.latlng.lat.toFixed(6);
      const sys = document.querySelector("[name=coord_source]");
      if (sys) sys.value = "WGS84";
      place(e.latlng.lat, e.latlng.lng);
      showDivision(e.latlng.lng, e.latlng.lat);
    });
    // Say which county the point lies in before the form is saved (data-division-preview).
    const preview = document.querySelector("[data-division-preview]");
    function showDivision(lon, lat) {
      if (!preview || !window.yingjiApi) return;
      fetch(window.yingjiApi("divisions/at") + "?lon=" + lon + "&lat=" + lat, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : null))
        .then((d) => { preview.textContent = d && d.name ? "点位所在区划：" + d.name + "（" + d.code.slice(0, 6) + "）" : "点位不在辽宁省内"; });
    }
  }
})();
