// The report form starts from the last known figures (the intake's or the previous report's); as the
// duty officer edits them, each changed figure is marked and the changes are listed "previous → new".
(function () {
  "use strict";
  const box = document.getElementById("report-figures");
  const out = document.getElementById("figure-changes");
  if (!box || !out) return;
  function number(text) {
    const value = Number(String(text).replace(/[,，\s]/g, ""));
    return Number.isFinite(value) ? value : null;
  }
  function update() {
    const changes = [];
    box.querySelectorAll("input[data-previous]").forEach((input) => {
      const before = number(input.dataset.previous);
      const now = input.value.trim() === "" ? before : number(input.value);
      const changed = now === null || now !== before;
      input.classList.toggle("changed", changed);
      if (changed) changes.push(input.dataset.label + " " + number(input.dataset.previous) + " → " + (input.value.trim() || "（空）"));
    });
    const against = out.dataset.comparedWith;
    out.textContent = changes.length ? "与" + against + "相比的变化：" + changes.join("；") : "与" + against + "相比：数字无变化";
    out.classList.toggle("has-changes", changes.length > 0);
  }
  box.addEventListener("input", update);
  update();
})();
