// Draws the report's charts from the JSON block the page carries (no inline script: CSP).
(function () {
  "use strict";
  var block = document.getElementById("report-charts");
  if (!block || typeof Chart === "undefined") { return; }
  var charts = JSON.parse(block.textContent);
  var palette = ["#b3261e", "#1d4e89", "#2e7d32", "#8a5a00", "#6a1b9a", "#00695c"];
  document.querySelectorAll(".chart[data-chart]").forEach(function (section) {
    var chart = charts[Number(section.getAttribute("data-chart"))];
    var canvas = section.querySelector("canvas");
    if (!chart || !canvas) { return; }
    new Chart(canvas, {type: "bar", data: {labels: chart.labels, datasets: [{
      label: chart.title, data: chart.data, backgroundColor: chart.labels.map(function (_, i) { return palette[i % palette.length]; })}]},
      options: {animation: false, scales: {y: {beginAtZero: true, ticks: {precision: 0}}}, plugins: {legend: {display: false}}}});
  });
})();
