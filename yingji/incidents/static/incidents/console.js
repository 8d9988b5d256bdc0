// Countdowns for reporting deadlines and live refresh of the duty console (SSE events from live.js).
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function format(seconds) {
    const s = Math.abs(Math.trunc(seconds));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return (h ? h + ":" + pad(m) : m) + ":" + pad(sec);
  }
  function tick() {
    const now = Date.now();
    document.querySelectorAll("[data-due]").forEach((el) => {
      const left = (Date.parse(el.dataset.due) - now) / 1000;
      el.classList.toggle("overdue", left < 0);
      el.classList.toggle("soon", left >= 0 && left < 600);
      el.textContent = left < 0 ? "已超时 " + format(left) : "剩余 " + format(left);
    });
  }
  window.yingjiTick = tick;
  tick();
  setInterval(tick, 1000);

  const toasts = document.getElementById("live-toasts");
  function toast(text, alert) {
    if (!toasts || !text) return;
    const div = document.createElement("div");
    div.className = "toast" + (alert ? " alert" : "");
    div.setAttribute("role", "alert");
    div.textContent = text;
    toasts.appendChild(div);
    setTimeout(() => div.remove(), alert ? 30000 : 10000);
  }
  const panels = document.getElementById("console-panels");
  let pending = null;
  function refresh() {
    if (!panels || pending) return;
    pending = setTimeout(() => {
      pending = null;
      fetch(panels.dataset.refreshUrl, { credentials: "same-origin" })
        .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
        .then((html) => { panels.innerHTML = html; tick(); })
        .catch(() => {});
    }, 400);
  }
  document.addEventListener("yingji:incidents", (e) => { toast(e.detail.text, !!e.detail.sound); refresh(); });
  document.addEventListener("yingji:deadlines", (e) => { toast(e.detail.text, !!e.detail.sound); refresh(); });
})();
