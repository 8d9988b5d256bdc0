// Poll a background import and reload the page when it has finished.
(function () {
  "use strict";
  const box = document.getElementById("import-status");
  if (!box || !["queued", "running"].includes(box.dataset.state)) return;
  const bar = document.getElementById("import-progress");
  const text = document.getElementById("import-progress-text");
  async function poll() {
    try {
      const res = await fetch(box.dataset.statusUrl, { credentials: "same-origin" });
      const data = await res.json();
      if (data.total) { bar.max = data.total; bar.value = data.done; text.textContent = data.done + " / " + data.total; }
      if (data.status === "done" || data.status === "failed") { window.location.reload(); return; }
    } catch (err) { text.textContent = "查询进度失败，正在重试……"; }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 500);
})();
