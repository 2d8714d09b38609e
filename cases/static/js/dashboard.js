// Draws the dashboard's charts from the JSON block the page carries (no inline script: CSP).
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var text = JSON.parse(document.getElementById("dashboard-text").textContent);
  if (typeof Chart === "undefined") { return; }
  var palette = ["#b3261e", "#1d4e89", "#2e7d32", "#8a5a00", "#6a1b9a", "#00695c"];
  document.querySelectorAll(".chart").forEach(function (section) {
    var key = section.getAttribute("data-chart");
    var type = section.getAttribute("data-type");
    var chart = data[key];
    var canvas = section.querySelector("canvas");
    if (!chart || !canvas || !chart.labels.length) { canvas && canvas.remove(); return; }
    var config;
    if (type === "stacked") {
      config = {type: "bar", data: {labels: chart.labels, datasets: chart.series.map(function (s, i) {
        return {label: s.label, data: s.data, backgroundColor: palette[i % palette.length]};
      })}, options: {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true}}}};
    } else {
      config = {type: type === "line" ? "line" : "bar", data: {labels: chart.labels, datasets: [{
        label: type === "line" ? text.percent : text.cases, data: chart.data,
        backgroundColor: palette[1], borderColor: palette[1]}]},
        options: {indexAxis: type === "hbar" ? "y" : "x", scales: {y: {beginAtZero: true}},
                  plugins: {legend: {display: false}}}};
      if (type === "line") { config.options.scales.y.max = 100; }
    }
    config.options.animation = false;
    new Chart(canvas, config);
  });
})();
