// Small behaviours declared in the markup with data attributes, so that no page needs inline
// script (the Content-Security-Policy allows scripts from this server only):
//   <form data-confirm="确定…？">            ask before submitting
//   <select data-autosubmit>                 submit the form when the choice changes
//   <form data-disable-on-submit>            disable the submit buttons once sent (no double filing)
//   <form data-action-url="name" data-action-arg="field">  action = yingjiUrl(name, form[field].value)
//   <body data-reload-on-alarm="enterprise id">            reload when an alarm of it arrives
//   <a href="#" data-back>                   go back one page
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    var urlName = form.getAttribute("data-action-url");
    if (urlName && window.yingjiUrl) {
      var field = form.elements[form.getAttribute("data-action-arg")];
      form.action = window.yingjiUrl(urlName, field ? field.value : undefined);
    }
    if (form.hasAttribute("data-disable-on-submit")) {
      form.querySelectorAll("[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
    }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-back]");
    if (link) { event.preventDefault(); history.back(); }
  });
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
  // The side navigation's sections remember being folded (per browser): <details data-nav-key>.
  document.querySelectorAll("details[data-nav-key]").forEach(function (section) {
    var key = "yingji.nav." + section.getAttribute("data-nav-key");
    try {
      if (localStorage.getItem(key) === "closed" && !section.querySelector(".current")) section.open = false;
      section.addEventListener("toggle", function () { localStorage.setItem(key, section.open ? "open" : "closed"); });
    } catch (e) { /* storage unavailable: sections simply stay open */ }
  });
  var reloadFor = document.body && document.body.getAttribute("data-reload-on-alarm");
  if (reloadFor) {
    document.addEventListener("yingji:alarms", function (e) {
      if (String(e.detail.enterprise_id) === reloadFor) setTimeout(function () { location.reload(); }, 300);
    });
  }
})();
