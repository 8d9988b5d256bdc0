// Portal: fill the visitor's position into a form (shelters: find the nearest; report: attach it).
// No position leaves the page unless the visitor presses the button and the browser allows it.
(function () {
  "use strict";
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) { status.textContent = "此浏览器不支持定位，请手动填写。"; return; }
      status.textContent = "正在获取位置…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        status.textContent = "已获取位置（精度约 " + Math.round(pos.coords.accuracy) + " 米）。";
        if (form.hasAttribute("data-locate-form")) form.submit();
      }, function () { status.textContent = "无法获取位置，请检查定位权限或手动填写。"; }, { timeout: 15000 });
    });
  });
})();
