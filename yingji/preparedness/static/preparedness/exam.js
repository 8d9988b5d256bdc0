// Exam countdown: shows the time left and submits the paper when it runs out. The server
// enforces the limit itself (answers arriving after it are not counted).
(function () {
  const el = document.getElementById("exam-remaining");
  const form = document.getElementById("exam-form");
  if (!el || !form) return;
  const end = Date.now() + Number(el.dataset.seconds) * 1000;
  let submitted = false;
  function tick() {
    const left = Math.max(0, Math.round((end - Date.now()) / 1000));
    const m = Math.floor(left / 60), s = left % 60;
    el.textContent = `${m} 分 ${String(s).padStart(2, "0")} 秒`;
    if (left === 0 && !submitted) {
      submitted = true;
      form.submit();
      return;
    }
    setTimeout(tick, 500);
  }
  tick();
})();
