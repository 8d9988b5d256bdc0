// Trend charts drawn as inline SVG (no chart library): raw points as a line; downsampled
// buckets as a min–max band with the mean line; alarm thresholds as coloured dashed lines.
(function () {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const LEVEL_COLORS = { 1: "#c62828", 2: "#ef6c00", 3: "#f9a825", 4: "#1565c0" };
  const LEVEL_NAMES = { 1: "一级", 2: "二级", 3: "三级", 4: "四级" };

  function el(name, attrs, parent) {
    const node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach((k) => node.setAttribute(k, attrs[k]));
    if (parent) parent.appendChild(node);
    return node;
  }
  function pad(n) { return String(n).padStart(2, "0"); }
  function timeLabel(ms, spanMs) {
    const d = new Date(ms);
    const hm = pad(d.getHours()) + ":" + pad(d.getMinutes());
    return spanMs > 36 * 3600e3 ? (d.getMonth() + 1) + "/" + d.getDate() + " " + hm : hm;
  }
  function niceTicks(lo, hi, count) {
    const span = hi - lo || 1;
    const step0 = span / count;
    const mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) ticks.push(+v.toFixed(10));
    return ticks;
  }

  function draw(container, data, opts) {
    const width = container.clientWidth || 640;
    const height = opts.height || container.clientHeight || 260;
    const m = { l: 56, r: 64, t: 12, b: 28 };
    container.innerHTML = "";
    const svg = el("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height, role: "img", "aria-label": "趋势图" }, container);
    const pts = data.points;
    const raw = data.bucket_s === 0;
    const sensor = data.sensor;
    if (!pts.length) {
      const t = el("text", { x: width / 2, y: height / 2, "text-anchor": "middle", class: "trend-empty" }, svg);
      t.textContent = "该时间段没有数据";
      container.dataset.points = "0";
      return;
    }
    const xs = pts.map((p) => p[0]);
    const lows = pts.map((p) => (raw ? p[1] : p[1]));
    const highs = pts.map((p) => (raw ? p[1] : p[3]));
    const thresholds = [];
    Object.keys(sensor.upper || {}).forEach((lv) => thresholds.push({ lv: lv, v: sensor.upper[lv], side: "上限" }));
    Object.keys(sensor.lower || {}).forEach((lv) => thresholds.push({ lv: lv, v: sensor.lower[lv], side: "下限" }));
    let lo = Math.min.apply(null, lows), hi = Math.max.apply(null, highs);
    // Show the nearest thresholds so the operator sees the margin.
    thresholds.forEach((t) => { if (t.v < hi + (hi - lo + 1) * 0.6 && t.v > lo - (hi - lo + 1) * 0.6) { lo = Math.min(lo, t.v); hi = Math.max(hi, t.v); } });
    const padY = (hi - lo) * 0.08 || 1;
    lo -= padY; hi += padY;
    const x0 = opts.start || xs[0], x1 = opts.end || xs[xs.length - 1];
    const sx = (x) => m.l + ((x - x0) / ((x1 - x0) || 1)) * (width - m.l - m.r);
    const sy = (y) => height - m.b - ((y - lo) / (hi - lo)) * (height - m.t - m.b);

    niceTicks(lo, hi, 5).forEach((v) => {
      el("line", { x1: m.l, x2: width - m.r, y1: sy(v), y2: sy(v), class: "trend-grid" }, svg);
      const t = el("text", { x: m.l - 6, y: sy(v) + 4, "text-anchor": "end", class: "trend-axis" }, svg);
      t.textContent = String(+v.toPrecision(6));
    });
    for (let i = 0; i <= 5; i++) {
      const x = x0 + ((x1 - x0) * i) / 5;
      const t = el("text", { x: sx(x), y: height - 8, "text-anchor": "middle", class: "trend-axis" }, svg);
      t.textContent = timeLabel(x, x1 - x0);
    }
    thresholds.forEach((t) => {
      if (t.v < lo || t.v > hi) return;
      el("line", { x1: m.l, x2: width - m.r, y1: sy(t.v), y2: sy(t.v), stroke: LEVEL_COLORS[t.lv], "stroke-dasharray": "5 4", "stroke-width": 1.2 }, svg);
      const label = el("text", { x: width - m.r + 4, y: sy(t.v) + 4, class: "trend-axis", fill: LEVEL_COLORS[t.lv] }, svg);
      label.textContent = LEVEL_NAMES[t.lv] + t.side;
    });
    if (!raw) {
      const band = pts.map((p) => sx(p[0]) + "," + sy(p[3])).concat(pts.slice().reverse().map((p) => sx(p[0]) + "," + sy(p[1])));
      el("polygon", { points: band.join(" "), class: "trend-band" }, svg);
    }
    const line = pts.map((p) => sx(p[0]).toFixed(1) + "," + sy(raw ? p[1] : p[2]).toFixed(1)).join(" ");
    el("polyline", { points: line, class: "trend-line" }, svg);
    const last = pts[pts.length - 1];
    el("circle", { cx: sx(last[0]), cy: sy(raw ? last[1] : last[2]), r: 3, class: "trend-last" }, svg);
    const caption = el("text", { x: m.l + 4, y: m.t + 10, class: "trend-axis" }, svg);
    caption.textContent = (sensor.unit ? "单位 " + sensor.unit + " · " : "") + (raw ? "原始数据 " + pts.length + " 点" : "降采样 每 " + (data.bucket_s >= 3600 ? data.bucket_s / 3600 + " 小时" : data.bucket_s / 60 + " 分钟") + "（阴影为最小—最大）");
    container.dataset.points = String(pts.length);
  }

  window.yingjiTrend = async function (container, sensorId, opts) {
    opts = opts || {};
    const end = opts.end || Date.now() + 1;
    const start = opts.start || end - 24 * 3600e3;
    const url = window.yingjiApi("readings/?sensor=") + encodeURIComponent(sensorId) + "&start=" + Math.floor(start) + "&end=" + Math.floor(end);
    const res = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    const data = await res.json();
    if (!res.ok) { container.textContent = (data.error && data.error.message) || "加载失败"; return null; }
    draw(container, data, { start: start, end: end, height: opts.height });
    return data;
  };

  // Pages declare their chart in markup (no inline script): data-trend-auto on the container,
  // data-around="epoch s" for ±3 h around a moment, or data-trend-ranges="#buttons" whose
  // buttons carry data-hours (24 h shown first).
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-trend-auto]").forEach(function (box) {
      if (box.dataset.around) {
        const t = Number(box.dataset.around) * 1000;
        window.yingjiTrend(box, box.dataset.sensor, { start: t - 3 * 3600e3, end: Math.min(Date.now(), t + 3 * 3600e3) + 1 });
        return;
      }
      const show = function (hours) {
        window.yingjiTrend(box, box.dataset.sensor, { start: Date.now() - hours * 3600e3, end: Date.now() + 1 });
      };
      const ranges = box.dataset.trendRanges ? document.querySelector(box.dataset.trendRanges) : null;
      if (ranges) {
        ranges.querySelectorAll("button[data-hours]").forEach(function (b) {
          b.addEventListener("click", function () { show(Number(b.dataset.hours)); });
        });
      }
      show(24);
    });
  });
})();
