// Shows the year for a named period and the two dates for a range (the form works without it).
(function () {
  "use strict";
  var period = document.getElementById("id_period");
  if (!period) { return; }
  function update() {
    var range = period.value === "range";
    ["date_from", "date_to"].forEach(function (name) {
      var row = document.querySelector(".field-" + name);
      if (row) { row.hidden = !range; }
    });
    var year = document.querySelector(".field-year");
    if (year) { year.hidden = range; }
  }
  period.addEventListener("change", update);
  update();
})();
