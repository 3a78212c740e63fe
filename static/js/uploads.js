// A form that sends files shows how far the sending is: its submit button marked
// data-upload-progress reads "Sending… 42 %" while htmx uploads (htmx:xhr:progress), then
// "Saving…" until the answer, and takes no second press meanwhile; a status beside it says
// the same at each quarter for screen readers. A form sent without htmx (the browser shows its
// own progress) disables the button and says "Saving…".
(function () {
  "use strict";

  function buttonOf(form) {
    return form && form.querySelector ? form.querySelector("button[data-upload-progress]") : null;
  }

  function show(form, text, quarter) {
    var button = buttonOf(form);
    if (!button) return;
    if (!button.dataset.label) button.dataset.label = button.textContent;
    button.textContent = text;
    var status = form.querySelector("[data-upload-status]");
    if (status && quarter !== undefined && status.dataset.quarter !== String(quarter)) {
      status.dataset.quarter = String(quarter);
      status.textContent = text;
    }
  }

  function busy(form, on) {
    var button = buttonOf(form);
    if (!button) return;
    button.disabled = on;
    button.setAttribute("aria-disabled", on ? "true" : "false");
    if (!on && button.dataset.label) button.textContent = button.dataset.label;
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (!buttonOf(form)) return;
    busy(form, true);
    show(form, buttonOf(form).dataset.uploadProgress.replace("{percent}", "0"), 0);
  });

  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target;
    var button = buttonOf(form);
    if (!button || !event.detail.lengthComputable || !event.detail.total) return;
    var percent = Math.floor((100 * event.detail.loaded) / event.detail.total);
    if (percent >= 100) {
      show(form, button.dataset.uploadDone, 4);
    } else {
      show(form, button.dataset.uploadProgress.replace("{percent}", String(percent)), Math.floor(percent / 25));
    }
  });

  // The answer replaces the form; when it did not (an error page, no connection), the button
  // is given back.
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.isConnected && buttonOf(form)) busy(form, false);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = buttonOf(form);
    if (!button || form.hasAttribute("data-hx-post") || event.defaultPrevented) return;
    // After the browser has taken the form's data (a disabled button would not be sent).
    setTimeout(function () {
      show(form, button.dataset.uploadDone, 4);
      busy(form, true);
    }, 0);
  });
})();
