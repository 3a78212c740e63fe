// An open board (or stand-up) asks every 20 seconds whether its team changed: a conditional
// request with the page's ETag. A 304 costs nothing; a changed page redraws its part in place,
// unless the person is typing or has a form or dialog open, in which case it waits.
// A part marked data-freshness-keeps-forms (the stand-up) redraws even then: the forms being
// typed in are carried over whole into the new part, with their text, focus and caret.
(function () {
  "use strict";

  function typedIn(form) {
    var fields = form.querySelectorAll("input:not([type]), input[type=text], input[type=date], textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    var options = form.querySelectorAll("option");
    for (var j = 0; j < options.length; j++) {
      if (options[j].selected !== options[j].defaultSelected) return true;
    }
    return false;
  }

  // The forms of the shown part that hold the focus or something typed, by their id.
  function formsInUse(target) {
    var kept = {};
    var forms = target.querySelectorAll("form[id]");
    for (var i = 0; i < forms.length; i++) {
      if (forms[i].contains(document.activeElement) || typedIn(forms[i])) kept[forms[i].id] = forms[i];
    }
    return kept;
  }

  // Put the person's own forms back in place of their fresh copies. A form keeps its hidden
  // fields too, so a decision typed over a changed one is still refused as a conflict.
  function carryOver(kept, focused, focusedId, caret) {
    Object.keys(kept).forEach(function (id) {
      var fresh = document.getElementById(id);
      if (fresh) fresh.replaceWith(kept[id]);
    });
    if (focused && !focused.isConnected) focused = focusedId && document.getElementById(focusedId);
    if (focused && document.activeElement !== focused) {
      focused.focus({ preventScroll: true });
      if (caret && typeof focused.setSelectionRange === "function") {
        try {
          focused.setSelectionRange(caret[0], caret[1], caret[2]);
        } catch (error) {
          // Not a text field (a date, a select): there is no caret to put back.
        }
      }
    }
  }

  function busy(target) {
    if (target && target.hasAttribute("data-freshness-keeps-forms")) {
      return Boolean(document.querySelector("dialog[open], .htmx-request"));
    }
    var active = document.activeElement;
    if (active && active.matches("input:not([type=button]):not([type=submit]):not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]")) {
      return true;
    }
    if (document.querySelector("dialog[open], .htmx-request")) return true;
    if (!target) return false;
    if (target.querySelector("details[open]")) return true;
    // A form with something typed in it waits too, so that nothing typed is lost.
    var fields = target.querySelectorAll("input:not([type]), input[type=text], input[type=date], textarea");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) return true;
    }
    return false;
  }

  function start() {
    var marker = document.getElementById("page-freshness");
    if (!marker || !window.fetch) return;
    var url = marker.dataset.freshnessUrl;
    var selector = marker.dataset.freshnessTarget;
    var etag = marker.dataset.etag;
    var seconds = parseInt(marker.dataset.interval, 10) || 20;
    var checking = false;

    function check() {
      var target = document.querySelector(selector);
      if (checking || document.hidden || !target || busy(target)) return;
      checking = true;
      fetch(url, {
        headers: { "HX-Request": "true", "If-None-Match": etag },
        cache: "no-store",
        credentials: "same-origin",
      }).then(function (response) {
        if (response.status !== 200) return null;
        var next = response.headers.get("ETag");
        return response.text().then(function (html) {
          target = document.querySelector(selector);
          if (!target || busy(target)) return;  // try again next time, with the old tag
          // A page without a partial of its own answers whole: take the part that is shown.
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
          if (!fresh) return;
          html = fresh.outerHTML;
          var focused = document.activeElement;
          var focusedId = focused && focused.id;
          var keepsForms = target.hasAttribute("data-freshness-keeps-forms");
          var kept = keepsForms ? formsInUse(target) : {};
          var caret = null;
          if (keepsForms && focused && typeof focused.selectionStart === "number") {
            caret = [focused.selectionStart, focused.selectionEnd, focused.selectionDirection];
          }
          htmx.swap(target, html, { swapStyle: "outerHTML" });
          if (next) etag = next;
          if (keepsForms) {
            carryOver(kept, focused, focusedId, caret);
          } else if (focusedId) {
            var again = document.getElementById(focusedId);
            if (again && document.activeElement !== again) again.focus({ preventScroll: true });
          }
        });
      }).catch(function () {
        // Offline for a moment: the next tick asks again.
      }).then(function () {
        checking = false;
      });
    }

    // The person's own changes redraw the page too; its tag then is stale, which only costs
    // one extra redraw. A quicker first check picks up changes made while the page loaded.
    window.setInterval(check, seconds * 1000);
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) check();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
