// Progressive enhancements only: every page works without this file.
(function () {
  "use strict";

  // A "Copy" button beside each citation (the text stays selectable without it).
  function addCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".cite__text").forEach(function (text) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn--small btn--quiet cite__copy";
      button.textContent = text.dataset.copyLabel;
      button.setAttribute("aria-describedby", text.id + "-label");
      var status = document.createElement("span");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(text.textContent.trim()).then(function () {
          button.textContent = text.dataset.copiedLabel;
          status.textContent = text.dataset.copiedLabel;
          setTimeout(function () { button.textContent = text.dataset.copyLabel; }, 2000);
        });
      });
      text.after(button, status);
    });
  }

  // A form that came back with errors: its summary takes the focus, so that it is read first
  // and its links lead to the fields (role="alert" alone is not read by every screen reader).
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  document.addEventListener("DOMContentLoaded", addCopyButtons);
  document.addEventListener("DOMContentLoaded", focusErrorSummary);
})();
