// The navigation search box: pages and records as you type (GET /api/v1/search, scoped on the
// server); Enter without a chosen hit opens the full results page (the form's own action, which
// also works without JavaScript).
(function () {
  "use strict";
  const form = document.querySelector("form.nav-search");
  if (!form) return;
  const input = form.querySelector("input[name=q]");
  const list = form.querySelector(".nav-search-results");
  let timer = null;
  let pending = null;
  let active = -1;

  function escapeHtml(s) {
    return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }
  function options() { return [...list.querySelectorAll("a[role=option]")]; }
  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
  function highlight(i) {
    const all = options();
    all.forEach((a, j) => a.classList.toggle("active", j === i));
    active = i;
    if (all[i]) all[i].scrollIntoView({ block: "nearest" });
  }
  function option(url, title, note) {
    return '<li><a role="option" href="' + escapeHtml(url) + '">' + escapeHtml(title) +
      (note ? ' <span class="note">' + escapeHtml(note) + "</span>" : "") + "</a></li>";
  }

  function render(data) {
    let html = "";
    if (data.pages.length) {
      html += '<li class="nav-search-head">页面</li>' + data.pages.map((p) => option(p.url, p.title, p.group)).join("");
    }
    let kind = null;
    data.records.forEach((r) => {
      if (r.kind !== kind) { kind = r.kind; html += '<li class="nav-search-head">' + escapeHtml(r.kind_label) + "</li>"; }
      html += option(r.url, r.title, r.where);
    });
    const all = form.action + "?" + new URLSearchParams({ q: data.query }).toString();
    html += data.pages.length || data.records.length
      ? option(all, "查看全部搜索结果", "")
      : '<li class="nav-search-empty">没有相符的页面或记录</li>';
    list.innerHTML = html;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    form.dataset.query = data.query;  // what the shown results are for
  }

  async function lookUp() {
    const q = input.value.trim();
    if (!q) { close(); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    try {
      const res = await fetch(window.yingjiApi("search") + "?" + new URLSearchParams({ q: q }).toString(),
                              { credentials: "same-origin", headers: { Accept: "application/json" }, signal: pending.signal });
      if (!res.ok) throw new Error(String(res.status));
      render(await res.json());
    } catch (err) {
      if (err.name !== "AbortError") { list.innerHTML = '<li class="nav-search-empty">搜索暂不可用，请按回车打开搜索页</li>'; list.hidden = false; }
    }
  }

  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(lookUp, 200); });
  input.addEventListener("keydown", (e) => {
    const all = options();
    if (e.key === "ArrowDown" && all.length) { e.preventDefault(); highlight((active + 1) % all.length); }
    else if (e.key === "ArrowUp" && all.length) { e.preventDefault(); highlight((active - 1 + all.length) % all.length); }
    else if (e.key === "Enter" && active >= 0 && all[active]) { e.preventDefault(); window.location.href = all[active].href; }
    else if (e.key === "Escape") { close(); }
  });
  document.addEventListener("click", (e) => { if (!form.contains(e.target)) close(); });
})();
