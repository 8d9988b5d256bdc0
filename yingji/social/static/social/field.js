// The field app: reports are written to IndexedDB first (with an id generated here), then sent;
// with no network they wait and are sent when it returns. The server keys each report by that id,
// so a retried send never makes a second record. A conflict the server reports stays visible.
(function () {
  "use strict";
  const body = document.body;
  const urls = { sw: body.dataset.sw, scope: body.dataset.scope, reports: body.dataset.reports, inbox: body.dataset.inbox };
  const DB_NAME = "yingji-field-" + body.dataset.user;
  const STORE = "outbox";
  const STATE_LABELS = { pending: "待同步", synced: "已同步", conflict: "存在冲突", error: "未被接受", sending: "同步中" };
  let syncing = null;

  function esc(s) { return String(s == null ? "" : s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c])); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // ----- IndexedDB ---------------------------------------------------------------------------
  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "client_id" });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  function tx(mode, fn) {
    return openDb().then((db) => new Promise((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const result = fn(t.objectStore(STORE));
      t.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : result); };
      t.onerror = () => { db.close(); reject(t.error); };
    }));
  }
  const all = () => tx("readonly", (s) => s.getAll());
  const put = (item) => tx("readwrite", (s) => { s.put(item); });
  const get = (id) => tx("readonly", (s) => s.get(id));

  // ----- network state -----------------------------------------------------------------------
  function showNetwork() {
    const el = document.querySelector("[data-net]");
    el.textContent = navigator.onLine ? "在线：报送会立即发送" : "离线：报送保存在本机，联网后自动发送";
    el.classList.toggle("offline", !navigator.onLine);
  }

  // ----- outbox ------------------------------------------------------------------------------
  function render() {
    return all().then((items) => {
      items.sort((a, b) => (a.created < b.created ? 1 : -1));
      const counts = { pending: 0, synced: 0, conflict: 0, error: 0 };
      items.forEach((i) => { counts[i.state === "sending" ? "pending" : i.state] += 1; });
      const summary = document.querySelector("[data-outbox-summary]");
      summary.textContent = `待同步 ${counts.pending} 份，已同步 ${counts.synced} 份` +
        (counts.conflict ? `，冲突 ${counts.conflict} 份` : "") + (counts.error ? `，未被接受 ${counts.error} 份` : "");
      summary.dataset.pending = counts.pending;
      summary.dataset.synced = counts.synced;
      summary.dataset.conflict = counts.conflict;
      document.querySelector("[data-outbox]").innerHTML = items.map((i) =>
        `<li data-testid="outbox-item" data-state="${esc(i.state)}"><strong>${esc(i.payload.title)}</strong> ` +
        `<span class="state ${esc(i.state)}">${esc(STATE_LABELS[i.state] || i.state)}</span><br>` +
        `<span class="hint">${esc(i.kindLabel)} · 照片 ${i.photos.length} 张 · 记录于 ${esc(i.created.slice(0, 16).replace("T", " "))}` +
        `${i.server_id ? " · 服务器编号 " + esc(i.server_id) : ""}</span>` +
        `${i.message ? `<br><span class="error">${esc(i.message)}</span>` : ""}</li>`).join("") || "<li>暂无报送</li>";
    });
  }

  function sendOne(item) {
    const form = new FormData();
    form.append("payload", JSON.stringify(item.payload));
    item.photos.forEach((p, n) => form.append("photos", p, "photo-" + n + ".jpg"));
    return fetch(urls.reports, { method: "POST", body: form, credentials: "same-origin",
                                 headers: { "X-CSRFToken": body.dataset.csrf, Accept: "application/json" } })
      .then((r) => r.json().then((data) => ({ status: r.status, data: data })));
  }

  // Send every report still waiting, one after the other; stop at the first network failure.
  function sync() {
    if (syncing) return syncing;
    syncing = all().then((items) => items.filter((i) => i.state === "pending" || i.state === "sending"))
      .then((waiting) => waiting.reduce((chain, item) => chain.then((goOn) => {
        if (!goOn) return false;
        return sendOne(item).then(({ status, data }) => {
          if (status === 200 || status === 201) {
            Object.assign(item, { state: data.state === "conflict" ? "conflict" : "synced", server_id: data.id,
                                  message: data.conflict || "" });
          } else if (status === 409) {
            Object.assign(item, { state: "conflict", message: data.error ? data.error.message : "存在冲突" });
          } else if (status === 401 || status === 403) {
            item.message = "登录已失效，请重新登录后同步";
            return put(item).then(() => false);
          } else {
            Object.assign(item, { state: "error", message: data.error ? data.error.message : "报送未被接受" });
          }
          return put(item).then(() => true);
        }, () => false);  // no network: leave it waiting
      }), Promise.resolve(true)))
      .then(render)
      .finally(() => { syncing = null; });
    return syncing;
  }

  // Send one stored report again whatever its state (a user's "resend"; the server answers the
  // stored record for the same id, so nothing is duplicated).
  function resend(clientId) {
    return get(clientId).then((item) => sendOne(item));
  }

  function figures(form) {
    const out = {};
    form.querySelectorAll("[name^='fig-']").forEach((el) => { if (el.value.trim()) out[el.name.slice(4)] = el.value.trim(); });
    return out;
  }

  function save(event) {
    event.preventDefault();
    const form = event.target;
    const error = document.querySelector("[data-form-error]");
    error.hidden = true;
    const title = form.elements.title.value.trim();
    const files = Array.from(form.elements.photos.files || []);
    if (!title) { error.textContent = "请填写标题"; error.hidden = false; form.elements.title.focus(); return; }
    if (files.length > 4) { error.textContent = "每份报送最多 4 张照片"; error.hidden = false; return; }
    const kind = form.elements.kind.value;
    const taskOption = form.elements.task.selectedOptions[0];
    const payload = {
      client_id: newId(), kind: kind, title: title, description: form.elements.description.value.trim(),
      figures: kind === "loss" ? figures(form) : {}, recorded_at: new Date().toISOString(),
      lon: form.elements.lon.value ? Number(form.elements.lon.value) : null,
      lat: form.elements.lat.value ? Number(form.elements.lat.value) : null,
    };
    if (kind === "task_update" && taskOption) {
      payload.task_id = Number(taskOption.value);
      payload.task_version = Number(taskOption.dataset.version);
    }
    // Blobs are stored as they are (IndexedDB keeps files), so photos survive a closed browser.
    const item = { client_id: payload.client_id, payload: payload, photos: files, state: "pending", message: "",
                   created: payload.recorded_at, kindLabel: form.elements.kind.selectedOptions[0].textContent };
    put(item).then(() => {
      form.reset();
      document.querySelector("[data-gps-status]").textContent = "";
      return render();
    }).then(() => (navigator.onLine ? sync() : null));
  }

  function locate() {
    const status = document.querySelector("[data-gps-status]");
    const form = document.querySelector("[data-report-form]");
    if (!navigator.geolocation) { status.textContent = "此设备不支持定位"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition((pos) => {
      form.elements.lon.value = pos.coords.longitude.toFixed(6);
      form.elements.lat.value = pos.coords.latitude.toFixed(6);
      status.textContent = `已定位（${pos.coords.longitude.toFixed(5)}，${pos.coords.latitude.toFixed(5)}）`;
    }, () => { status.textContent = "定位失败，请检查定位权限"; }, { timeout: 15000, enableHighAccuracy: true });
  }

  // ----- inbox: tasks and warnings of the area (the last answer is kept for offline use) -------
  function showInbox(data, fromCache) {
    document.querySelector("[data-inbox-state]").textContent = (fromCache ? "离线，显示上次获取的内容（" : "更新于 ") +
      data.at + (fromCache ? "）" : "");
    document.querySelector("[data-warnings]").innerHTML = data.warnings.map((w) =>
      `<li><strong>【${esc(w.level)}】${esc(w.title)}</strong><br><span class="hint">有效至 ${esc(w.expires)}</span><br>${esc(w.instruction)}</li>`).join("") || "<li>本辖区当前没有生效的预警</li>";
    document.querySelector("[data-tasks]").innerHTML = data.tasks.map((t) =>
      `<li><strong>${esc(t.title)}</strong><br><span class="hint">${esc(t.unit)} · ${esc(t.state)}${t.due ? " · 时限 " + esc(t.due) : ""}</span></li>`).join("") || "<li>暂无任务</li>";
    const select = document.querySelector("#f-task");
    select.innerHTML = data.tasks.map((t) => `<option value="${t.id}" data-version="${t.version}">${esc(t.title)}</option>`).join("");
  }
  function loadInbox() {
    const key = DB_NAME + "-inbox";
    return fetch(urls.inbox, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then((data) => { localStorage.setItem(key, JSON.stringify(data)); showInbox(data, false); })
      .catch(() => { const cached = localStorage.getItem(key); if (cached) showInbox(JSON.parse(cached), true); });
  }

  function kindChanged() {
    const kind = document.querySelector("#f-kind").value;
    document.querySelector("[data-figures]").hidden = kind !== "loss";
    document.querySelector("[data-task-field]").hidden = kind !== "task_update";
  }

  // ----- start -------------------------------------------------------------------------------
  document.querySelector("[data-report-form]").addEventListener("submit", save);
  document.querySelector("[data-gps]").addEventListener("click", locate);
  document.querySelector("[data-sync]").addEventListener("click", () => sync());
  document.querySelector("#f-kind").addEventListener("change", kindChanged);
  window.addEventListener("online", () => { showNetwork(); sync(); loadInbox(); });
  window.addEventListener("offline", showNetwork);
  kindChanged();
  showNetwork();
  window.yingjiField = { sync: sync, resend: resend, all: all };
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(urls.sw, { scope: urls.scope })
      .then(() => navigator.serviceWorker.ready)
      .then(() => body.setAttribute("data-sw-ready", "1"))
      .catch((err) => body.setAttribute("data-sw-error", String(err)));
  }
  render().then(() => (navigator.onLine ? sync() : null));
  loadInbox();
})();
