// The Copy button of a calendar feed's address (templates/calendar/_address.html). Without
// JavaScript, or without the clipboard, the address stays selectable in its read-only field.
(function () {
  "use strict";

  if (window.vertaaCalendarCopy) return; // the script may be on a page once per address
  window.vertaaCalendarCopy = true;

  function say(message) {
    const region = document.getElementById("messages");
    if (!region) return;
    const line = document.createElement("p");
    line.className = "message message-success";
    line.textContent = message;
    region.replaceChildren(line);
  }

  function show() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".copy-button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", show);

  document.addEventListener("click", function (event) {
    const button = event.target.closest(".copy-button[data-copy]");
    if (!button) return;
    const field = document.getElementById(button.dataset.copy);
    if (!field) return;
    field.select();
    navigator.clipboard.writeText(field.value).then(function () {
      say(button.dataset.copied);
    }, function () {
      // Refused (no permission): the address is selected for Ctrl+C.
    });
  });
})();
