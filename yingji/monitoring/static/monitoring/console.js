// 值班监测台: open alarms rendered from the page and kept live from SSE ("yingji:alarms"),
// acknowledge in one click, live values polled every 5 s, trend of the selected sensor.
(function () {
  "use strict";
  const list = document.getElementById("alarm-list");
  const empty = document.getElementById("alarm-empty");
  const csrf = document.querySelector("#csrf-form [name=csrfmiddlewaretoken]").value;
  const STATE_NAMES = { raised: "待确认", acknowledged: "已确认", handled: "已处置", closed: "已关闭" };
  const COLOR = { 1: "red", 2: "orange", 3: "yellow", 4: "blue" };
  let selectedSensor = null;
  let trendHours = 6;

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c])); }
  // The console's one form of a date and time: Asia/Shanghai, 24 h, to the minute (2026-07-15 09:05).
  const SHANGHAI = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  function localTime(iso) {
    const p = {}; SHANGHAI.formatToParts(new Date(iso)).forEach(function (x) { p[x.type] = x.value; });
    return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute;
  }

  function render(a, fresh) {
    const id = a.alarm_id || a.id;
    let li = list.querySelector('[data-alarm-id="' + id + '"]');
    if (a.is_open === false) { if (li) li.remove(); refresh(); return; }
    if (!li) { li = document.createElement("li"); li.dataset.alarmId = id; list.prepend(li); }
    li.className = "alarm-card level-" + COLOR[a.level] + (fresh ? " fresh" : "") + (a.state === "raised" ? " unacked" : "");
    li.dataset.level = a.level;
    li.dataset.state = a.state;
    li.dataset.sensor = a.sensor_id;
    const canAck = a.state === "raised" && (!a.actions || a.actions.some((x) => x.action === "acknowledge"));
    li.innerHTML =
      '<div class="alarm-head"><span class="badge badge-' + COLOR[a.level] + '">' + esc(a.level_name) + "</span> " +
      '<span class="alarm-rule">' + esc(a.rule_name) + "</span>" +
      '<span class="alarm-state" data-testid="alarm-state">' + esc(STATE_NAMES[a.state] || a.state) + "</span></div>" +
      '<div class="alarm-text">' + esc(a.text) + "</div>" +
      '<div class="alarm-meta">' + esc(localTime(a.raised_at)) + (a.tier_name ? " · 已升级通知" + esc(a.tier_name) : "") +
      (a.condition_active === false || a.kind === "condition_cleared" ? " · 已恢复正常" : "") + "</div>" +
      '<div class="alarm-actions">' + (canAck ? '<button class="button primary" data-ack="' + id + '">确认</button>' : "") +
      '<a class="button" href="' + window.yingjiUrl("monitoring-alarm", id) + '">处置</a>' +
      '<button class="button" data-trend="' + a.sensor_id + '" data-title="' + esc(a.object + " · " + a.sensor) + '">趋势</button></div>';
    if (fresh) setTimeout(() => li.classList.remove("fresh"), 4000);
    refresh();
  }

  function refresh() {
    const cards = Array.from(list.children);
    empty.hidden = cards.length > 0;
    const counts = { 1: 0, 2: 0, 3: 0, 4: 0 };
    cards.forEach((c) => { counts[c.dataset.level] += 1; });
    document.querySelectorAll("#level-chips [data-level]").forEach((chip) => { chip.querySelector("b").textContent = counts[chip.dataset.level]; });
  }

  JSON.parse(document.getElementById("initial-alarms").textContent).reverse().forEach((a) => render(a, false));

  document.addEventListener("yingji:alarms", (e) => {
    const a = e.detail;
    const fresh = a.kind === "raised" || a.kind === "level_raised" || a.kind === "escalated";
    render(a, fresh);
    if (fresh) flashTitle(a.level_name + "报警");
  });
  document.addEventListener("yingji:any", () => { document.getElementById("live-state").textContent = "实时推送已连接"; });
  const live = window.yingjiLive;
  if (live) {
    const mark = () => { document.getElementById("live-state").textContent = live.readyState === 1 ? "实时推送已连接" : "实时连接中…"; };
    live.addEventListener("open", mark); live.addEventListener("error", mark); mark();
  }

  let titleTimer = null;
  function flashTitle(text) {
    const base = document.title.replace(/^【.*?】/, "");
    document.title = "【" + text + "】" + base;
    clearTimeout(titleTimer);
    titleTimer = setTimeout(() => { document.title = base; }, 15000);
  }

  list.addEventListener("click", async (e) => {
    const ack = e.target.closest("[data-ack]");
    if (ack) {
      ack.disabled = true;
      const res = await fetch(window.yingjiApi("alarms/" + ack.dataset.ack + "/acknowledge"), {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
        body: JSON.stringify({ note: "值班台确认" }),
      });
      const data = await res.json();
      if (!res.ok) { alert((data.error && data.error.message) || "确认失败"); ack.disabled = false; return; }
      render(data, false);
      return;
    }
    const trend = e.target.closest("[data-trend]");
    if (trend) showTrend(trend.dataset.trend, trend.dataset.title);
  });

  function showTrend(sensorId, title) {
    selectedSensor = sensorId;
    document.getElementById("trend-title").textContent = title || "";
    window.yingjiTrend(document.getElementById("trend"), sensorId, { start: Date.now() - trendHours * 3600e3, end: Date.now() + 1, height: 240 });
  }
  document.querySelectorAll("#trend-ranges button").forEach((b) => b.addEventListener("click", () => {
    trendHours = Number(b.dataset.hours);
    if (selectedSensor) showTrend(selectedSensor, document.getElementById("trend-title").textContent);
  }));

  // Live values.
  const tbody = document.querySelector("#values tbody");
  const onlyAlarming = document.getElementById("only-alarming");
  const search = document.getElementById("values-search");
  let values = [];
  function fmt(v) { return v == null ? "—" : (Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(2)); }
  function renderValues() {
    const text = search.value.trim();
    const rows = values.filter((v) => (!onlyAlarming.checked || v.alarm_level) && (!text || (v.name + v.code + v.object).includes(text)));
    rows.sort((a, b) => (a.alarm_level || 9) - (b.alarm_level || 9));
    tbody.innerHTML = rows.slice(0, 300).map((v) =>
      '<tr data-sensor="' + v.id + '" class="' + (v.alarm_level ? "row-l" + v.alarm_level : "") + '"><td><a href="' + window.yingjiUrl("monitoring-sensor", v.id) + '">' + esc(v.name) + "</a></td><td>" + esc(v.object) +
      "</td><td>" + fmt(v.value) + " " + esc(v.unit) + "</td><td>" + (v.t ? new Date(v.t).toLocaleTimeString("zh-CN", { hour12: false }) : "—") +
      "</td><td>" + (v.alarm_level ? '<span class="badge badge-l' + v.alarm_level + '">' + v.alarm_level + "级报警</span>" : v.stale ? '<span class="badge badge-grey">离线</span>' : "正常") + "</td></tr>").join("");
  }
  async function loadValues() {
    try {
      const res = await fetch(window.yingjiApi("monitoring/latest"), { credentials: "same-origin" });
      if (res.ok) {
        const data = await res.json();
        values = data.items;
        document.getElementById("values-at").textContent = "更新于 " + new Date().toLocaleTimeString("zh-CN", { hour12: false }) + " · 共 " + values.length + " 个测点";
        renderValues();
        if (!selectedSensor && values.length) {
          const first = values.find((v) => v.alarm_level) || values[0];
          showTrend(first.id, first.object + " · " + first.name);
        }
      }
    } finally { setTimeout(loadValues, 5000); }
  }
  onlyAlarming.addEventListener("change", renderValues);
  search.addEventListener("input", renderValues);
  tbody.addEventListener("click", (e) => {
    const row = e.target.closest("tr[data-sensor]");
    if (row && !e.target.closest("a")) { const v = values.find((x) => String(x.id) === row.dataset.sensor); showTrend(row.dataset.sensor, v ? v.object + " · " + v.name : ""); }
  });
  loadValues();
})();
