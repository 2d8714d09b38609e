/* Reception desk intake form (templates/cases/intake.html). No inline scripts: the CSP forbids them.
 * Without this file every field shows and the formset's empty rows are all there is (the server
 * validates either way and ignores the fields of another kind). */
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }

  // 1. Fields that belong to some kinds only (data-kinds="complaint") follow the kind select.
  var kind = form.querySelector("select[name=kind]");
  function showKind() {
    var value = kind ? kind.value : "";
    form.querySelectorAll("[data-kinds]").forEach(function (group) {
      group.hidden = group.getAttribute("data-kinds").split(" ").indexOf(value) === -1;
    });
  }
  if (kind) {
    kind.addEventListener("change", showKind);
    showKind();
  }

  // 2. Any number of petitioners: clone the empty row, renumber it, bump TOTAL_FORMS.
  var total = form.querySelector("input[name=people-TOTAL_FORMS]");
  var max = form.querySelector("input[name=people-MAX_NUM_FORMS]");
  var rows = document.getElementById("people-rows");
  var template = document.getElementById("people-empty");
  var add = document.getElementById("people-add");
  var note = document.getElementById("people-group-note");

  function filledRows() {
    var count = 0;
    rows.querySelectorAll("tr.person").forEach(function (row) {
      var named = ["full_name", "id_number", "phone", "address"].some(function (name) {
        var input = row.querySelector("input[name$='-" + name + "']");
        return input && input.value.trim() !== "";
      });
      if (named) { count += 1; }
    });
    return count;
  }
  function groupNote() {
    if (note) { note.classList.toggle("message--warning", filledRows() >= 5); note.classList.toggle("message", filledRows() >= 5); }
  }

  if (total && rows && template && add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement("tbody");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      if (window.htmx) { window.htmx.process(row); }
      var first = row.querySelector("input[type=text]");
      if (first) { first.focus(); }
    });
  }
  if (rows) {
    rows.addEventListener("input", groupNote);
    groupNote();
  }
})();
