// Presentation mode: the keyboard moves between slides, the address follows the slide, Esc
// goes back to the collection. Without this file the slides are a readable page.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
    if (!slides.length) return;
    var current = Math.max(0, slides.findIndex(function (s) { return "#" + s.id === location.hash; }));

    function show(index) {
      current = Math.min(slides.length - 1, Math.max(0, index));
      var slide = slides[current];
      slide.scrollIntoView({ block: "start" });
      slide.focus({ preventScroll: true });
      history.replaceState(null, "", "#" + slide.id);
    }

    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var moves = {
        ArrowRight: current + 1, ArrowDown: current + 1, PageDown: current + 1, " ": current + 1,
        ArrowLeft: current - 1, ArrowUp: current - 1, PageUp: current - 1,
        Home: 0, End: slides.length - 1
      };
      if (event.key === "Escape") {
        location.href = document.body.dataset.back;
      } else if (event.key in moves) {
        event.preventDefault();
        show(moves[event.key]);
      }
    });
    if (location.hash) show(current);
  });
})();
