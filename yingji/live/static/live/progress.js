// Progress bars of long operations. Markup (templates/live/_progress.html):
//   <div data-progress data-progress-url="…status JSON…" [data-progress-job="17"]> <progress> <span data-progress-text>
// The bar moves with the live events of the "progress" channel (web/live.js) for its job and, as a
// fallback (live stream closed, or an operation without a job such as a spreadsheet import), by
// asking the status URL every second. When the operation has ended the page reloads and the
// server shows the summary.
(function () {
  "use strict";
  const ENDED = ["done", "failed", "cancelled"];
  document.querySelectorAll("[data-progress]").forEach((box) => {
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-progress-text]");
    const percent = box.querySelector("[data-progress-percent]");
    const job = box.dataset.progressJob;
    let ended = false;
    function show(data) {
      if (ended) return;
      if (data.total) {
        bar.max = data.total;
        bar.value = data.done;
        if (percent) percent.textContent = Math.floor((100 * data.done) / data.total) + "%";
      }
      if (data.text && text) text.textContent = data.text;
      box.dataset.done = String(data.done || 0);
      if (ENDED.includes(data.status)) {
        ended = true;
        box.dataset.ended = data.status;
        setTimeout(() => window.location.reload(), 300);
      }
    }
    if (job) {
      document.addEventListener("yingji:progress", (e) => {
        if (String(e.detail.job) === job) show(e.detail);
      });
    }
    async function poll() {
      if (ended) return;
      try {
        const res = await fetch(box.dataset.progressUrl, { credentials: "same-origin" });
        if (res.ok) show(await res.json());
      } catch (err) {
        if (text) text.textContent = "查询进度失败，正在重试……";
      }
      setTimeout(poll, 1000);
    }
    setTimeout(poll, 500);
  });
})();
