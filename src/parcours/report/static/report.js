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
  function show(view) {
    document.querySelectorAll("section.view").forEach(function (s) { s.hidden = s.dataset.view !== view; });
    draw(view);
  }
  const select = document.getElementById("group");
  if (select) select.addEventListener("change", function () { show(select.value); });
  show("all");
})();
