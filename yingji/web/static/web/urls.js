// URLs by name for scripts: {% url_table %} (web/templatetags/yingji_urls.py) renders the
// table into <script id="yingji-urls">; no script spells a path of the platform itself.
(function () {
  "use strict";
  let table = null;
  window.yingjiUrl = function (name, ...args) {
    if (table === null) table = JSON.parse(document.getElementById("yingji-urls").textContent);
    let url = table[name];
    if (url === undefined) throw new Error("URL name not offered to scripts: " + name);
    args.forEach((arg, i) => { url = url.replace("{" + i + "}", encodeURIComponent(arg)); });
    return url;
  };
  // A route of the JSON API: its root (by name) followed by the route's path, e.g. "alarms/".
  window.yingjiApi = function (path) {
    return window.yingjiUrl("api-v1:api-root") + path;
  };
})();
