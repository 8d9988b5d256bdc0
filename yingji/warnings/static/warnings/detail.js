// The warning page's 投递情况 follows the senders live: when a channel's batch fails (or the delivery
// list has been built) a "warnings" event arrives (web/live.js); the block is fetched again from this
// page and replaced, so the publisher sees the error without reloading.
(function () {
  "use strict";
  const box = document.querySelector("[data-testid=dissemination][data-warning]");
  if (!box) return;
  let pending = null;
  function refresh() {
    if (pending) return;
    pending = setTimeout(async () => {
      pending = null;
      try {
        const res = await fetch(window.location.pathname, { credentials: "same-origin" });
        if (!res.ok) return;
        const doc = new DOMParser().parseFromString(await res.text(), "text/html");
        const fresh = doc.querySelector("[data-testid=dissemination][data-warning]");
        if (fresh && !box.querySelector("[data-progress]")) box.innerHTML = fresh.innerHTML;
      } catch (err) { /* the next event tries again */ }
    }, 300);
  }
  document.addEventListener("yingji:warnings", (e) => {
    if (String(e.detail.id) === box.dataset.warning && ["delivery_problem", "targeted"].includes(e.detail.kind)) refresh();
  });
})();
