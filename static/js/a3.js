// The A3 sheet: focus follows in-place editing, and the print view's Print button.
// Everything here is an extra: without JavaScript every control is a plain form or link.
(function () {
  "use strict";

  // After htmx replaced a section, focus what the user works on next (the first field of
  // a form that opened, or the section's heading after a save) unless focus already found
  // a control of the same id (htmx keeps it on e.g. the "Move up" button of a moved why).
  document.addEventListener("htmx:afterSettle", function (event) {
    const active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return;
    const swapped = event.detail.elt;
    if (!swapped || !swapped.querySelector) return;
    const target = swapped.querySelector("#conflict") ||
      swapped.querySelector("[aria-invalid=true]") ||
      swapped.querySelector("[data-a3-focus]");
    if (target) target.focus();
  });

  document.addEventListener("DOMContentLoaded", function () {
    // A section opened as a page of its own (a link followed before htmx took over): the
    // cursor starts in its first field (or at the problem), as it does when opened in place.
    const single = document.querySelector(".a3-single");
    const target = single && (single.querySelector("#conflict") ||
      single.querySelector("[aria-invalid=true]") || single.querySelector("form [data-a3-focus]"));
    if (target && document.activeElement === document.body) target.focus();
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
