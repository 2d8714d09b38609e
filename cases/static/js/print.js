/* Print buttons of the receipt and the tracking summary: <button data-print="a5|a4">.
 * Served by staticfiles, never inline (the CSP allows no inline script). The page carries
 * <style id="paper-size">@page { size: … }</style>; a button sets the size it names and prints. */
(function () {
  "use strict";
  var SIZES = { a5: "A5 portrait", a4: "A4 portrait" };

  function usePaper(paper) {
    var style = document.getElementById("paper-size");
    if (!style || !SIZES[paper]) {
      return;
    }
    style.textContent = "@page { size: " + SIZES[paper] + "; }";
    document.documentElement.setAttribute("data-paper", paper);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (!button) {
      return;
    }
    event.preventDefault();
    usePaper(button.getAttribute("data-print"));
    window.print();
  });
})();
