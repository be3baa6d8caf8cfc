// A print view's Print button opens the browser's print dialogue.
// After a refused submit the page comes back with a summary of what to fix: move the focus there, so a screen
// reader announces it and the keyboard starts from it.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("form-errors");
  if (summary) {
    summary.focus();
  }
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
});
