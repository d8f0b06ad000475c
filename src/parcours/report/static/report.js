// Shows one view (all journeys or a segment) and draws its charts the first time it is shown
// (Plotly sizes a chart from its container: hidden containers have none).
(function () {
  const drawn = new Set();
  const config = {displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendDataToCloud"]};
  function draw(view) {
    const figs = FIGURES[view] || {};
    for (const id of Object.keys(figs)) {
      if (drawn.has(id)) { Plotly.Plots.resize(id); continue; }
      const f = figs[id];
      Plotly.newPlot(id, f.data, f.layout, config);
      drawn.add(id);
    }
  }
  // A grid text cut to its lines (report.css) opens in full on a click, Enter or Space; its
  // title holds it too. Measured when its view is shown (a hidden view has no layout).
  const CUT = ".grid li.cut, .grid .card.cut";
  function markCut(section) {
    section.querySelectorAll(".grid li, .grid .cname").forEach(function (el) {
      const box = el.classList.contains("cname") ? el.closest(".card") : el;
      if (box.classList.contains("open") || el.scrollHeight <= el.clientHeight + 1) return;
      box.classList.add("cut");
      box.tabIndex = 0;
      box.setAttribute("aria-expanded", "false");
    });
  }
  function toggle(box) {
    box.setAttribute("aria-expanded", String(box.classList.toggle("open")));
  }
  document.addEventListener("click", function (e) {
    const box = e.target.closest(CUT);
    if (box) toggle(box);
  });
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Enter" || e.key === " ") && e.target.matches(CUT)) { e.preventDefault(); toggle(e.target); }
  });
  function show(view) {
    document.querySelectorAll("section.view").forEach(function (s) { s.hidden = s.dataset.view !== view; });
    draw(view);
    const section = document.querySelector('section.view[data-view="' + view + '"]');
    if (section) markCut(section);
  }
  const select = document.getElementById("group");
  if (select) select.addEventListener("change", function () { show(select.value); });
  window.addEventListener("resize", function () {
    document.querySelectorAll("section.view:not([hidden])").forEach(markCut);
  });
  show("all");
})();
